package dsf4j.data;

/** The three splits every corpus has. */
public enum Split {
    TRAIN, VALID, TEST;

    public String id() {
        return name().toLowerCase();
    }

    public static Split parse(String s) {
        for (Split v : values()) if (v.id().equalsIgnoreCase(s)) return v;
        throw new IllegalArgumentException("unknown split '" + s + "': use train, valid or test");
    }
}
