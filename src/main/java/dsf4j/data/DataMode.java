package dsf4j.data;

/** How a corpus becomes batches: which tokenizer, and which sample layout. */
public enum DataMode {
    /** Word vocabulary; one padded sample per line ({@link SentenceDataset}): the authors' PTB setup. */
    SENTENCES("sentences"),
    /** Word vocabulary; one continuous stream per batch row ({@link StreamDataset}), state may be carried. */
    STREAM("stream"),
    /** Byte-level BPE; fixed blocks of T + 1 ids ({@link BlockDataset}): the authors' WikiText setup. */
    BPE_BLOCKS("bpe-blocks"),
    /** Word vocabulary; fixed blocks of T + 1 ids ({@link BlockDataset}): plain word-level WikiText. */
    WORDS("words");

    private final String id;

    DataMode(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static DataMode parse(String s) {
        for (DataMode m : values()) if (m.id.equalsIgnoreCase(s)) return m;
        throw new IllegalArgumentException("unknown data mode '" + s + "': use sentences, stream, bpe-blocks or words");
    }

    /** The authors' choice for a corpus: {@code sentences} for PTB and folders, {@code bpe-blocks} for WikiText. */
    public static DataMode defaultFor(String data) {
        return data.startsWith("wikitext") ? BPE_BLOCKS : SENTENCES;
    }

    /** The authors' T for a mode: 64 for PTB sentences and streams, 255 for 256-id blocks. */
    public int defaultSteps() {
        return this == SENTENCES || this == STREAM ? 64 : 255;
    }
}
