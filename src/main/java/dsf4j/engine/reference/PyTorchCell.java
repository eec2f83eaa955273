package dsf4j.engine.reference;

/**
 * What RNNCell, GRUCell and LSTMCell share: the input width, H, and the four weight tensors with their
 * gradient accumulators.
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
}
