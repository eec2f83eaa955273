package dsf4j.data;

import java.util.SplittableRandom;

/** Deterministic shuffles: the same (seed, epoch) gives the same order on every JVM. */
final class Shuffle {

    private Shuffle() {}

    /** A random number generator for one epoch of one seed. */
    static SplittableRandom random(long seed, int epoch) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    }

    /** Fisher–Yates shuffle of {@code a} in place ({@code a} is modified). */
    static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i]; a[i] = a[j]; a[j] = t;
        }
    }

    /** 0, 1, …, n−1 shuffled. */
    static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        shuffle(p, rng);
        return p;
    }
}
