package dsf4j.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's tensors by PyTorch name, in a fixed order (the order of {@link ParamLayout}).
 * The same class holds weights and, shaped alike, their gradients or optimizer moments.
 */
public final class Parameters implements Iterable<Tensor> {

    private final Map<String, Tensor> byName = new LinkedHashMap<>();

    public Parameters(List<Tensor> tensors) {
        for (Tensor t : tensors) {
            if (byName.put(t.name(), t) != null) throw new IllegalArgumentException("duplicate tensor " + t.name());
        }
    }

    public Tensor get(String name) {
        Tensor t = byName.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor named " + name);
        return t;
    }

    public float[] data(String name) {
        return get(name).data();
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public List<Tensor> list() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    @Override
    public Iterator<Tensor> iterator() {
        return Collections.unmodifiableCollection(byName.values()).iterator();
    }

    /** Zero tensors of the same names and shapes. */
    public Parameters zerosLike() {
        List<Tensor> z = new ArrayList<>();
        for (Tensor t : this) z.add(t.zerosLike());
        return new Parameters(z);
    }

    /** A deep copy. */
    public Parameters copy() {
        List<Tensor> c = new ArrayList<>();
        for (Tensor t : this) c.add(new Tensor(t.name(), t.shape().clone(), t.data().clone(), t.trainable()));
        return new Parameters(c);
    }

    /** Number of trainable scalars. */
    public long trainableCount() {
        long n = 0;
        for (Tensor t : this) if (t.trainable()) n += t.size();
        return n;
    }
}
