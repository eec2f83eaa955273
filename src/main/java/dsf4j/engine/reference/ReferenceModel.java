package dsf4j.engine.reference;

import dsf4j.config.BlockType;
import dsf4j.config.Method;
import dsf4j.config.ModelConfig;
import dsf4j.engine.Engine.LossSum;
import dsf4j.grad.DiagonalSolver;
import dsf4j.grad.GradientMethod;
import dsf4j.model.Batch;
import dsf4j.model.ParamLayout;
import dsf4j.model.ParamNames;
import dsf4j.model.Parameters;
import dsf4j.model.Tensor;
import org.ejml.data.DMatrixRMaj;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole language model in double precision, forward and backward, written to be read beside
 * the paper. Activations are matrices with one row per position, time-major: row t·B + b holds
 * position t of sequence b. N = T·B.
 *
 * <pre>
 * x = embedding[input]                                   [N, H]
 * for each layer:
 *   residual:     x = x + rnn(x)            (LSTM: x + proj(rnn(x)), proj: 2H → H)
 *   transformer:  x = x + proj(rnn(LN1(x)))
 *                 x = x + fc2(GELU(fc1(LN2(x))))        fc1: H → 4H
 * z = transformer ? LN(x) : x
 * logits = z·headᵀ + b                                   [N, V]
 * L = mean over non-pad targets of cross-entropy
 * </pre>
 * Each tensor lives in a double[] under its PyTorch name ({@link ParamLayout}); {@link #param}
 * returns the live array, so a test can perturb a weight and call {@link #loss} again.
 */
public class ReferenceModel {

    private final ModelConfig config;
    private final Map<String, double[]> params = new LinkedHashMap<>();
    private final Map<String, double[]> grads = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    private final Set<String> trainable = new HashSet<>();
    private final ParamNames.Layer[] names;
    private final RecurrentLayer[] layers;

    /** A model holding a double copy of {@code weights}. */
    public ReferenceModel(ModelConfig config, Parameters weights) {
        this.config = config;
        for (Tensor t : weights) {
            double[] a = new double[t.size()];
            for (int i = 0; i < a.length; i++) a[i] = t.data()[i];
            params.put(t.name(), a);
            grads.put(t.name(), new double[t.size()]);
            shapes.put(t.name(), t.shape().clone());
            if (t.trainable()) trainable.add(t.name());
        }
        names = ParamNames.layers(config.layers());
        layers = new RecurrentLayer[config.layers()];
        for (int l = 0; l < layers.length; l++) layers[l] = new RecurrentLayer(cell(l));
    }

    private ReferenceCell cell(int l) {
        int h = config.hidden(), gi = config.cell().gates * h, gh = config.cell().hiddenGates * h;
        boolean hidden = config.cell().hasHiddenWeights();
        ParamNames.Layer n = names[l];
        CellWeights w = CellWeights.wrap(gi, gh, h, h, param(n.weightIh()), hidden ? param(n.weightHh()) : null,
                param(n.biasIh()), hidden ? param(n.biasHh()) : null);
        CellWeights g = CellWeights.wrap(gi, gh, h, h, grad(n.weightIh()), hidden ? grad(n.weightHh()) : null,
                grad(n.biasIh()), hidden ? grad(n.biasHh()) : null);
        return PyTorchCell.of(config.cell(), h, h, w, g);
    }

    public ModelConfig config() {
        return config;
    }

    /** Tensor names in layout order. */
    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(params.keySet()));
    }

    /** False for buffers (DSF's λ), which have no gradient. */
    public boolean isTrainable(String name) {
        return trainable.contains(name);
    }

    public int[] shape(String name) {
        return shapes.get(name).clone();
    }

    /** The live weights of a tensor (modifying them changes the model). */
    public double[] param(String name) {
        double[] a = params.get(name);
        if (a == null) throw new IllegalArgumentException("no tensor named " + name);
        return a;
    }

    /** The gradient left by the last {@link #lossAndGradient} (0 for buffers such as λ). */
    public double[] grad(String name) {
        double[] a = grads.get(name);
        if (a == null) throw new IllegalArgumentException("no tensor named " + name);
        return a;
    }

    /** The cell of layer l, for tests that probe it directly. */
    protected ReferenceCell cellOf(int l) {
        return layers[l].cell;
    }

    /** L for a batch, forward only. */
    public double loss(Batch batch) {
        Pass pass = forward(batch, (double[][]) null);
        int count = CrossEntropy.count(pass.targets, config.padId());
        return count == 0 ? 0 : CrossEntropy.sum(pass.logits, pass.targets, config.padId(), null, 1) / count;
    }

    /** Σ cross-entropy and its number of terms. */
    public LossSum evaluate(Batch batch) {
        return evaluate(batch, null);
    }

    /**
     * {@link #evaluate(Batch)} starting from carried states.
     *
     * @param state per layer s, [L][B·D], or null for zeros; overwritten with each layer's s_{T−1}
     */
    public LossSum evaluate(Batch batch, double[][] state) {
        Pass pass = forward(batch, state);
        return new LossSum(CrossEntropy.sum(pass.logits, pass.targets, config.padId(), null, 1),
                CrossEntropy.count(pass.targets, config.padId()));
    }

    /**
     * L and its gradient by {@code method}; the gradients are overwritten and read with {@link #grad}.
     *
     * @param solver how DSF solves eq. 13 (ignored by the other methods)
     */
    public double lossAndGradient(Batch batch, Method method, DiagonalSolver solver) {
        return lossAndGradient(batch, method, solver, null);
    }

    /**
     * {@link #lossAndGradient(Batch, Method, DiagonalSolver)} starting from carried states (stream
     * mode); no gradient flows into them.
     *
     * @param state per layer s, [L][B·D], or null for zeros; overwritten with each layer's s_{T−1}
     */
    public double lossAndGradient(Batch batch, Method method, DiagonalSolver solver, double[][] state) {
        return lossAndGradient(batch, GradientMethod.of(method), solver, state);
    }

    /**
     * The same with any {@link GradientMethod}, one that no {@link Method} names included (a method
     * being tried out, a test's).
     */
    public double lossAndGradient(Batch batch, GradientMethod method, DiagonalSolver solver, double[][] state) {
        for (double[] g : grads.values()) java.util.Arrays.fill(g, 0);
        Pass pass = forward(batch, state);
        int count = CrossEntropy.count(pass.targets, config.padId());
        if (count == 0) return 0;
        DMatrixRMaj dLogits = new DMatrixRMaj(pass.logits.numRows, pass.logits.numCols);
        double loss = CrossEntropy.sum(pass.logits, pass.targets, config.padId(), dLogits, 1.0 / count) / count;
        backward(pass, dLogits, method, solver);
        return loss;
    }

    /**
     * Runs the recurrence of one layer: s_t = f(s_{t−1}, x_t). Tests override this to run a
     * surrogate recurrence whose exact gradient is FT-BPTT's or DSF's.
     *
     * @param s0 initial state [B, D], or null for 0
     * @return s_t, T × [B, D]
     */
    protected DMatrixRMaj[] runRecurrence(int layer, DMatrixRMaj[] xs, DMatrixRMaj s0) {
        return layers[layer].forward(xs, s0);
    }

    // ---------------------------------------------------------------------------------------------
    // Forward

    /** What the forward keeps for the backward. */
    static final class Pass {
        int batch, steps;
        int[] inputs, targets;        // [N] time-major ids
        DMatrixRMaj[] blockInput;     // per layer: x entering the block, [N, H]
        DMatrixRMaj[] rnnInput;       // per layer: LN1(x) (transformer) or x (residual), [N, H]
        DMatrixRMaj[] states;         // per layer: s, [N, D]
        DMatrixRMaj[] afterRnn;       // per layer (transformer): x + proj(s), [N, H]
        DMatrixRMaj[] mlpIn;          // per layer (transformer): LN2(afterRnn), [N, H]
        DMatrixRMaj[] mlpHidden;      // per layer (transformer): fc1(mlpIn), [N, 4H]
        DMatrixRMaj[] mlpAct;         // per layer (transformer): GELU(mlpHidden), [N, 4H]
        DMatrixRMaj[] finalStates;    // per layer: s_{T−1}, [B, D]
        DMatrixRMaj top;              // x after the last block, [N, H]
        DMatrixRMaj z;                // the head's input, [N, H]
        DMatrixRMaj logits;           // [N, V]
    }

    /**
     * @param state per layer carried s, [L][B·D], or null for zeros; overwritten with each layer's s_{T−1}
     */
    private Pass forward(Batch batch, double[][] state) {
        DMatrixRMaj[] s0 = null;
        if (state != null) {
            s0 = new DMatrixRMaj[state.length];
            for (int l = 0; l < state.length; l++) s0[l] = DMatrixRMaj.wrap(batch.batch(), config.stateSize(), state[l].clone());
        }
        Pass p = forward(batch, s0);
        if (state != null) {
            for (int l = 0; l < state.length; l++) System.arraycopy(p.finalStates[l].data, 0, state[l], 0, state[l].length);
        }
        return p;
    }

    /**
     * @param s0 per layer initial state [B, D], or null for zeros
     */
    Pass forward(Batch batch, DMatrixRMaj[] s0) {
        int b = batch.batch(), steps = batch.steps(), n = b * steps, h = config.hidden(), nl = config.layers();
        boolean tf = config.block() == BlockType.TRANSFORMER;
        Pass p = new Pass();
        p.batch = b;
        p.steps = steps;
        p.inputs = timeMajor(batch.input(), b, steps);
        p.targets = timeMajor(batch.target(), b, steps);
        p.blockInput = new DMatrixRMaj[nl];
        p.rnnInput = new DMatrixRMaj[nl];
        p.states = new DMatrixRMaj[nl];
        p.afterRnn = new DMatrixRMaj[nl];
        p.mlpIn = new DMatrixRMaj[nl];
        p.mlpHidden = new DMatrixRMaj[nl];
        p.mlpAct = new DMatrixRMaj[nl];
        p.finalStates = new DMatrixRMaj[nl];

        DMatrixRMaj x = new DMatrixRMaj(n, h);
        double[] emb = param(ParamNames.EMBEDDING);
        for (int r = 0; r < n; r++) {
            int id = p.inputs[r];
            if (id < 0 || id >= config.vocab()) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + config.vocab() + ")");
            System.arraycopy(emb, id * h, x.data, r * h, h);
        }
        for (int l = 0; l < nl; l++) {
            ParamNames.Layer nm = names[l];
            p.blockInput[l] = x;
            p.rnnInput[l] = tf ? LayerNorm.forward(x, param(nm.norm1Weight()), param(nm.norm1Bias())) : x;
            DMatrixRMaj[] s = runRecurrence(l, Steps.split(p.rnnInput[l], b), s0 == null ? null : s0[l]);
            p.finalStates[l] = s[s.length - 1];
            p.states[l] = Steps.join(s);
            DMatrixRMaj out = ParamLayout.hasProjection(config) ? Linear.forward(p.states[l], matrix(nm.projWeight()), matrix(nm.projBias())) : p.states[l];
            x = plus(x, out);
            if (tf) {
                p.afterRnn[l] = x;
                p.mlpIn[l] = LayerNorm.forward(x, param(nm.norm2Weight()), param(nm.norm2Bias()));
                p.mlpHidden[l] = Linear.forward(p.mlpIn[l], matrix(nm.fc1Weight()), matrix(nm.fc1Bias()));
                p.mlpAct[l] = new DMatrixRMaj(n, 4 * h);
                for (int k = 0; k < p.mlpAct[l].data.length; k++) p.mlpAct[l].data[k] = Activations.gelu(p.mlpHidden[l].data[k]);
                x = plus(x, Linear.forward(p.mlpAct[l], matrix(nm.fc2Weight()), matrix(nm.fc2Bias())));
            }
        }
        p.top = x;
        p.z = tf ? LayerNorm.forward(x, param(ParamNames.NORM_WEIGHT), param(ParamNames.NORM_BIAS)) : x;
        p.logits = Linear.forward(p.z, matrix(ParamNames.HEAD_WEIGHT), matrix(ParamNames.HEAD_BIAS));
        return p;
    }

    // ---------------------------------------------------------------------------------------------
    // Backward: the same blocks in reverse; only the recurrent layers depend on the method.

    private void backward(Pass p, DMatrixRMaj dLogits, GradientMethod m, DiagonalSolver solver) {
        int h = config.hidden(), b = p.batch;
        boolean tf = config.block() == BlockType.TRANSFORMER;
        DMatrixRMaj dz = Linear.backward(p.z, matrix(ParamNames.HEAD_WEIGHT), dLogits, gradMatrix(ParamNames.HEAD_WEIGHT), gradMatrix(ParamNames.HEAD_BIAS));
        DMatrixRMaj dx = tf ? LayerNorm.backward(p.top, param(ParamNames.NORM_WEIGHT), dz, grad(ParamNames.NORM_WEIGHT), grad(ParamNames.NORM_BIAS)) : dz;
        for (int l = config.layers() - 1; l >= 0; l--) {
            ParamNames.Layer nm = names[l];
            if (tf) {
                DMatrixRMaj dAct = Linear.backward(p.mlpAct[l], matrix(nm.fc2Weight()), dx, gradMatrix(nm.fc2Weight()), gradMatrix(nm.fc2Bias()));
                for (int k = 0; k < dAct.data.length; k++) dAct.data[k] *= Activations.geluDerivative(p.mlpHidden[l].data[k]);
                DMatrixRMaj dMlpIn = Linear.backward(p.mlpIn[l], matrix(nm.fc1Weight()), dAct, gradMatrix(nm.fc1Weight()), gradMatrix(nm.fc1Bias()));
                dx = plus(dx, LayerNorm.backward(p.afterRnn[l], param(nm.norm2Weight()), dMlpIn, grad(nm.norm2Weight()), grad(nm.norm2Bias())));
            }
            // e_t = ∂L/∂s_t from everything but s_{t+1}: here, the residual branch above the layer.
            DMatrixRMaj ds = ParamLayout.hasProjection(config)
                    ? Linear.backward(p.states[l], matrix(nm.projWeight()), dx, gradMatrix(nm.projWeight()), gradMatrix(nm.projBias()))
                    : dx.copy();
            DMatrixRMaj dRnnIn = Steps.join(layers[l].backward(Steps.rows(ds, b), m, param(nm.lambda()), solver));
            dx = plus(dx, tf ? LayerNorm.backward(p.blockInput[l], param(nm.norm1Weight()), dRnnIn, grad(nm.norm1Weight()), grad(nm.norm1Bias())) : dRnnIn);
        }
        double[] dEmb = grad(ParamNames.EMBEDDING);
        for (int r = 0; r < p.inputs.length; r++) {
            for (int c = 0; c < h; c++) dEmb[p.inputs[r] * h + c] += dx.data[r * h + c];
        }
    }

    // ---------------------------------------------------------------------------------------------

    private DMatrixRMaj matrix(String name) {
        int[] s = shapes.get(name);
        return s.length == 1 ? DMatrixRMaj.wrap(1, s[0], param(name)) : DMatrixRMaj.wrap(s[0], s[1], param(name));
    }

    private DMatrixRMaj gradMatrix(String name) {
        int[] s = shapes.get(name);
        return s.length == 1 ? DMatrixRMaj.wrap(1, s[0], grad(name)) : DMatrixRMaj.wrap(s[0], s[1], grad(name));
    }

    private static DMatrixRMaj plus(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj c = a.copy();
        for (int k = 0; k < c.data.length; k++) c.data[k] += b.data[k];
        return c;
    }

    /** [B, T] batch-major ids → [N] time-major (row t·B + b). */
    static int[] timeMajor(int[] ids, int b, int steps) {
        int[] out = new int[ids.length];
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < steps; t++) out[t * b + i] = ids[i * steps + t];
        }
        return out;
    }
}
