#!/usr/bin/env python3
"""Writes train.txt, valid.txt and test.txt of a corpus a small RNN learns in seconds, into DIR.

200 words by default; each sentence (5 to 30 words) is a walk in a fixed random table of 3 successors
per word, so a model that learns the table reaches a perplexity near 3. Seeded: the same files every
time. Used by gpu-check.sh to train end to end on a machine without the real corpora, and (smaller:
--words 6 --length 1:9 --sentences 60:8:8) by make_steps_golden.sh for the step-for-step goldens.

    python3 bench/tiny_corpus.py DIR [--words N] [--length MIN:MAX] [--sentences TRAIN:VALID:TEST]
"""
import argparse
import os
import random


def main(folder, n_words=200, length=(5, 30), sentences=(3000, 300, 300)):
    rng = random.Random(1)
    words = ["w%d" % i for i in range(n_words)]
    successors = {w: rng.sample(words, min(3, n_words)) for w in words}

    def sentence():
        w, out = rng.choice(words), []
        for _ in range(rng.randint(*length)):
            out.append(w)
            w = rng.choice(successors[w])
        return " ".join(out)

    os.makedirs(folder, exist_ok=True)
    for split, n in zip(("train", "valid", "test"), sentences):
        with open(os.path.join(folder, split + ".txt"), "w") as f:
            f.write("\n".join(sentence() for _ in range(n)) + "\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--words", type=int, default=200)
    ap.add_argument("--length", default="5:30", help="MIN:MAX words per sentence")
    ap.add_argument("--sentences", default="3000:300:300", help="TRAIN:VALID:TEST sentences")
    a = ap.parse_args()
    main(a.dir, a.words, tuple(int(x) for x in a.length.split(":")), tuple(int(x) for x in a.sentences.split(":")))
