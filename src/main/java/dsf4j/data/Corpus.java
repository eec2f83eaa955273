package dsf4j.data;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The three split texts of one corpus, read and (for known corpora) verified against the manifest.
 *
 * @param name   the corpus name ({@code ptb}, {@code wikitext-2}, …) or the folder it was read from
 * @param splits the text of every {@link Split}
 */
public record Corpus(String name, Map<Split, CorpusText> splits) {

    public Corpus {
        for (Split s : Split.values()) {
            if (!splits.containsKey(s)) throw new IllegalArgumentException("corpus " + name + " lacks its " + s.id() + " split");
        }
        splits = Collections.unmodifiableMap(new EnumMap<>(splits));
    }

    public CorpusText text(Split split) {
        return splits.get(split);
    }

    /** One line: the name and the sha256 of every split's decompressed text. */
    public String provenance() {
        StringBuilder sb = new StringBuilder(name);
        for (Split s : Split.values()) sb.append(' ').append(s.id()).append("=sha256:").append(text(s).sha256());
        return sb.toString();
    }
}
