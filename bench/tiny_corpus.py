#!/usr/bin/env python3
"""Writes train.txt, valid.txt and test.txt of a corpus a small RNN learns in seconds, into DIR.

200 words; each sentence (5 to 30 words) is a walk in a fixed random table of 3 successors per word,
so a model that learns the table reaches a perplexity near 3. Seeded: the same files every time.
Used by gpu-check.sh to train end to end on a machine without the real corpora.

    python3 bench/tiny_corpus.py DIR
"""
import os
import random
import sys


def main(folder):
    rng = random.Random(1)
    words = ["w%d" % i for i in range(200)]
    successors = {w: rng.sample(words, 3) for w in words}

    def sentence():
        w, out = rng.choice(words), []
        for _ in range(rng.randint(5, 30)):
            out.append(w)
            w = rng.choice(successors[w])
        return " ".join(out)

    os.makedirs(folder, exist_ok=True)
    for split, n in (("train", 3000), ("valid", 300), ("test", 300)):
        with open(os.path.join(folder, split + ".txt"), "w") as f:
            f.write("\n".join(sentence() for _ in range(n)) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tiny_corpus.py DIR")
    main(sys.argv[1])
