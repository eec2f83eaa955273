package dsf4j.data;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Learns byte-level BPE merges from a training text with the standard incremental pair-count algorithm:
 * the text is reduced to its distinct chunks with their counts ({@link PreTokenizer}); pair counts are
 * kept for all adjacent symbol pairs, weighted by chunk counts, with an index pair → chunks holding it;
 * each step takes the most frequent pair (ties: smaller left id, then smaller right id, so training is
 * deterministic), rewrites only the chunks that hold it, and updates the counts of their pairs. A max-heap
 * with lazy deletion finds the best pair: an entry whose count is stale is re-queued with the current count
 * (counts of old pairs only fall; new pairs, which contain the new id, are queued when made).
 */
public final class BpeTrainer {

    private BpeTrainer() {}

    /** Default vocabulary size, the authors' WikiText setup. */
    public static final int DEFAULT_VOCAB_SIZE = 16_000;

    private record Candidate(long count, int left, int right) {}

    /**
     * Learns merges until V = {@code vocabSize} (pad + 256 bytes + merges) or until no pair is left.
     *
     * @param vocabSize target V, ≥ 257
     */
    public static BytePairEncoding train(String text, int vocabSize) {
        if (vocabSize < BytePairEncoding.FIRST_MERGE_ID) {
            throw new IllegalArgumentException("--bpe-vocab must be ≥ " + BytePairEncoding.FIRST_MERGE_ID + " (pad + 256 bytes), got " + vocabSize);
        }
        // Distinct chunks and their counts.
        Map<String, long[]> counts = new HashMap<>();
        PreTokenizer.forEachChunk(text, c -> counts.computeIfAbsent(c, k -> new long[1])[0]++);
        int words = counts.size();
        int[][] sym = new int[words][];      // chunk w as ids, sym[w][0, len[w])
        int[] len = new int[words];
        long[] freq = new long[words];
        int w0 = 0;   // chunk numbering follows HashMap order: harmless, counts and ties never depend on it
        for (var e : counts.entrySet()) {
            byte[] b = e.getKey().getBytes(StandardCharsets.UTF_8);
            sym[w0] = new int[b.length];
            for (int i = 0; i < b.length; i++) sym[w0][i] = (b[i] & 0xFF) + 1;
            len[w0] = b.length;
            freq[w0] = e.getValue()[0];
            w0++;
        }
        Map<Long, long[]> pairCount = new HashMap<>();
        Map<Long, IntList> where = new HashMap<>();
        for (int w = 0; w < words; w++) {
            for (int i = 0; i + 1 < len[w]; i++) {
                long p = BytePairEncoding.pair(sym[w][i], sym[w][i + 1]);
                pairCount.computeIfAbsent(p, k -> new long[1])[0] += freq[w];
                addWord(where, p, w);
            }
        }
        PriorityQueue<Candidate> heap = new PriorityQueue<>((a, b) -> a.count != b.count ? Long.compare(b.count, a.count)
                : a.left != b.left ? Integer.compare(a.left, b.left) : Integer.compare(a.right, b.right));
        pairCount.forEach((p, c) -> heap.add(new Candidate(c[0], (int) (p >>> 32), (int) (long) p)));

        IntList left = new IntList(vocabSize), right = new IntList(vocabSize);
        int next = BytePairEncoding.FIRST_MERGE_ID;
        while (next < vocabSize && !heap.isEmpty()) {
            Candidate top = heap.poll();
            long p = BytePairEncoding.pair(top.left, top.right);
            long[] c = pairCount.get(p);
            long current = c == null ? 0 : c[0];
            if (current != top.count) {
                if (current > 0) heap.add(new Candidate(current, top.left, top.right));
                continue;
            }
            int id = next++;
            left.add(top.left);
            right.add(top.right);
            Set<Long> made = new HashSet<>();
            IntList holders = where.remove(p);
            for (int k = 0; k < holders.size(); k++) {
                int w = holders.get(k);
                if (!contains(sym[w], len[w], top.left, top.right)) continue;   // stale index entry
                countPairs(sym[w], len[w], -freq[w], pairCount);
                len[w] = BytePairEncoding.mergeAll(sym[w], len[w], top.left, top.right, id);
                countPairs(sym[w], len[w], freq[w], pairCount);
                for (int i = 0; i + 1 < len[w]; i++) {
                    if (sym[w][i] == id || sym[w][i + 1] == id) {
                        long q = BytePairEncoding.pair(sym[w][i], sym[w][i + 1]);
                        addWord(where, q, w);
                        made.add(q);
                    }
                }
            }
            for (long q : made) {
                long[] qc = pairCount.get(q);
                if (qc != null) heap.add(new Candidate(qc[0], (int) (q >>> 32), (int) q));
            }
        }
        return new BytePairEncoding(left.toArray(), right.toArray());
    }

    /** Adds {@code delta} to the count of every adjacent pair of {@code s[0, n)}; counts reaching 0 are removed. */
    private static void countPairs(int[] s, int n, long delta, Map<Long, long[]> pairCount) {
        for (int i = 0; i + 1 < n; i++) {
            long p = BytePairEncoding.pair(s[i], s[i + 1]);
            long[] c = pairCount.computeIfAbsent(p, k -> new long[1]);
            c[0] += delta;
            if (c[0] == 0) pairCount.remove(p);
        }
    }

    /** Appends chunk {@code w} to the index list of pair {@code p} unless it was the last one added. */
    private static void addWord(Map<Long, IntList> where, long p, int w) {
        IntList list = where.computeIfAbsent(p, k -> new IntList(4));
        if (list.size() == 0 || list.get(list.size() - 1) != w) list.add(w);
    }

    private static boolean contains(int[] s, int n, int l, int r) {
        for (int i = 0; i + 1 < n; i++) if (s[i] == l && s[i + 1] == r) return true;
        return false;
    }
}
