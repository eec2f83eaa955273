package dsf4j.config;

/** How a recurrent layer sits inside a block of the language model. */
public enum BlockType {
    /** The authors' PTB block: x = x + rnn(x) (an LSTM's concat(h, c) goes through a Linear(2H→H) first). */
    RESIDUAL,
    /** Pre-LN: x += proj(rnn(LN1(x))); x += fc2(GELU(fc1(LN2(x)))), fc1 H→4H; a final LN before the head. */
    TRANSFORMER;

    public String id() {
        return name().toLowerCase();
    }

    public static BlockType parse(String s) {
        for (BlockType b : values()) if (b.id().equalsIgnoreCase(s.trim())) return b;
        throw new IllegalArgumentException("unknown block '" + s + "': use residual or transformer");
    }
}
