package dsf4j.train;

/** Which Adam: with L2 added to the gradient (the authors' torch.optim.Adam(weight_decay=…)) or decoupled (AdamW). */
public enum OptimizerKind {
    /** g ← g + wd·θ before the moments (coupled L2). */
    ADAM,
    /** θ ← θ·(1 − lr·wd) beside the Adam step (decoupled weight decay). */
    ADAMW;

    public String id() {
        return name().toLowerCase();
    }

    public static OptimizerKind parse(String s) {
        for (OptimizerKind k : values()) if (k.id().equalsIgnoreCase(s)) return k;
        throw new IllegalArgumentException("unknown optimizer '" + s + "': use adam (coupled L2, as the authors) or adamw");
    }
}
