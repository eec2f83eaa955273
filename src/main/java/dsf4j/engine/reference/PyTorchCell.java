package dsf4j.engine.reference;

import dsf4j.config.CellType;

/**
 * What the cells share: the input width, H, and the weight tensors in PyTorch's layout (weight_ih,
 * bias_ih and, for cells whose gates read h, weight_hh and bias_hh) with their gradient accumulators.
 */
abstract class PyTorchCell implements ReferenceCell {

    protected final int in, hidden;
    protected final CellWeights w;      // the weights, read only
    protected final CellWeights grads;  // dL/dθ, accumulated by backward

    PyTorchCell(int in, int hidden, CellWeights w, CellWeights grads) {
        this.in = in;
        this.hidden = hidden;
        this.w = w;
        this.grads = grads;
    }

    @Override
    public int inputSize() {
        return in;
    }

    /** The reference engine's cell of {@code type}: the one place that maps cell names to its classes. */
    static ReferenceCell of(CellType type, int in, int hidden, CellWeights w, CellWeights grads) {
        return switch (type) {
            case RNN -> new RnnCell(in, hidden, w, grads);
            case GRU -> new GruCell(in, hidden, w, grads);
            case LSTM -> new LstmCell(in, hidden, w, grads);
            case MINGRU -> new MinGruCell(in, hidden, w, grads);
        };
    }
}
