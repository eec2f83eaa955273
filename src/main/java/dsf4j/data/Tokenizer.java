package dsf4j.data;

/** Text ↔ token ids for one corpus (word-level vocabulary or byte-level BPE). */
public interface Tokenizer {

    /** Number of ids, V (the model's embedding rows); ids are 0 … V−1. */
    int size();

    /** The id the loss ignores, or -1 when the corpus has no padding. */
    int padId();

    /** Ids of a piece of text (unknown words map to {@code <unk>} where the vocabulary has one). */
    int[] encode(String text);

    /** Text of a sequence of ids. */
    String decode(int[] ids);
}
