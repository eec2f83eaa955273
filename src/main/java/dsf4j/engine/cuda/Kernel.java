package dsf4j.engine.cuda;

/**
 * Every kernel in {@code src/main/resources/dsf4j/cuda/*.cu}, with its argument signature: one letter
 * per parameter, p = device pointer (or null), i = int, f = float. {@link Gpu#launch} checks the
 * arguments against it, and the tests check it against the source and against nvcc's PTX, so a
 * kernel and its launches cannot drift apart silently.
 */
public enum Kernel {
    RNN_FORWARD("rnn_forward", "ppppppii"),
    GRU_FORWARD("gru_forward", "ppppppii"),
    LSTM_FORWARD("lstm_forward", "ppppppii"),
    RNN_BACKWARD("rnn_backward", "pppppppppii"),
    GRU_BACKWARD("gru_backward", "pppppppppii"),
    LSTM_BACKWARD("lstm_backward", "pppppppppii"),
    DSF_SCAN("dsf_scan", "ppiii"),
    EMBEDDING_FORWARD("embedding_forward", "pppii"),
    EMBEDDING_BACKWARD("embedding_backward", "pppii"),
    ADD_RESIDUAL("add_residual", "ppppii"),
    COLUMN_SUMS("column_sums", "ppiii"),
    LAYER_NORM_FORWARD("layer_norm_forward", "pppppii"),
    LAYER_NORM_BACKWARD("layer_norm_backward", "ppppppiii"),
    GELU_FORWARD("gelu_forward", "ppii"),
    GELU_BACKWARD("gelu_backward", "ppii"),
    CROSS_ENTROPY("cross_entropy", "pppppiiii"),
    SUM_SQUARES("sum_squares", "ppi"),
    ADAM("adam", "ppppppi");

    /** The extern "C" name in the source. */
    public final String symbol;
    /** One letter per parameter: p pointer, i int, f float. */
    public final String signature;

    Kernel(String symbol, String signature) {
        this.symbol = symbol;
        this.signature = signature;
    }
}
