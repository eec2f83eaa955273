#!/usr/bin/env python3
"""The authors' PTB setup in PyTorch, written from their code (github.com/p0lcAi/DSF), independent of dsf4j.

What dsf4j's PTB runs are compared with (issue 10: "dsf4j's BPTT validation perplexity on PTB 3L256
lies within 3% of a PyTorch run of the authors' setup at steps 60-240"). Nothing here comes from dsf4j:
not the vocabulary, the batches, the initial weights, nor the model code. It follows, file by file:
  ptb/data.py           Corpus.sentence_tokenizer: a Dictionary that starts <pad> <bos> <eos> <unk>, then
                        each word in order of first appearance over train, valid, test; one sample per
                        line, ['<bos>'] + line.split() + ['<eos>'];
  tasks/ptb.py          a DataLoader over the sentences, shuffle=True (a new order every epoch),
                        batch 128, collate: each sample cut to context_length + 1 = 65 ids, pad_sequence
                        to the longest row with <pad>, X = batch[:, :-1], Y = batch[:, 1:]; validation in
                        corpus order, batch 256;
  dsf/utils/model_utils.py  Model: Embedding(V, H) → L × [x = rnn(x) + x] → Linear(H, V); Linear and
                        Embedding weights N(0, 0.02), Linear biases 0, the GRU cell PyTorch's default
                        U(-1/√H, 1/√H); the GRU layer as their GRUCell (nn.GRUCell with a tied nn.GRU for
                        the fast forward);
  dsf/dsf.py            BPTT: StandardRnn (the tied nn.GRU over the sequence); FT-BPTT: NoBpttRnn (the
                        states from a no-grad nn.GRU pass, the cell re-run over B·T with h_{t-1} constant);
                        DSF: DfaRnn with state_transition 'diagonal' (the same re-run, and a backward hook
                        g_t = e_t + g_{t+1} A with A = diag(linspace(0, 1, H)), a dense matmul as theirs);
  dsf/utils/engine.py   loss = CrossEntropyLoss(ignore_index=<pad>, reduction='sum') / number of non-pad
                        targets; torch.optim.Adam(lr 1e-3, weight_decay 1e-4: coupled L2); validation
                        perplexity = exp(Σ loss / Σ non-pad targets) over the whole validation split.
The learning rate is constant here (their StepLR drops it only at epoch 10), the run stops after --steps
optimizer steps, and validation runs every --eval-every steps.

  bench/run-pytorch.sh pytorch_authors_setup.py --method bptt --steps 240 --eval-every 60 --out ptb-torch.jsonl

One JSON object per validation on stdout and in --out (JSON lines):
  {"step": 60, "valid_loss": ..., "valid_ppl": ..., "train_loss": ..., "elapsed_s": ..., "method": ..., ...}
and --csv FILE writes the same rows as CSV.
"""
import argparse
import csv
import gzip
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn


# ---------------------------------------------------------------------------------------------------
# data: their ptb/data.py and tasks/ptb.py

class Dictionary:
    def __init__(self):
        self.word2idx, self.idx2word = {}, []
        for w in ("<pad>", "<bos>", "<eos>", "<unk>"):
            self.add_word(w)

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __len__(self):
        return len(self.idx2word)


def open_split(folder, split):
    """ptb.<split>.txt, plain or gzipped (/work/shared/data/ptb holds .gz)."""
    for name in (f"ptb.{split}.txt", f"ptb.{split}.txt.gz", f"{split}.txt", f"{split}.txt.gz"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return gzip.open(path, "rt", encoding="utf8") if name.endswith(".gz") else open(path, encoding="utf8")
    sys.exit(f"pytorch_authors_setup: no ptb.{split}.txt(.gz) in {folder}: give --data the folder of the PTB corpus")


class Corpus:
    def __init__(self, folder):
        self.dictionary = Dictionary()
        self.train, self.valid, self.test = (self.sentences(folder, s) for s in ("train", "valid", "test"))

    def sentences(self, folder, split):
        out = []
        with open_split(folder, split) as f:
            for line in f:
                words = ["<bos>"] + line.strip().split() + ["<eos>"]
                if len(words) == 1:        # as theirs: never true, an empty line is <bos> <eos>
                    continue
                out.append(torch.tensor([self.dictionary.add_word(w) for w in words], dtype=torch.long))
        return out


def loader(sentences, batch, seq, pad, shuffle):
    def collate(rows):
        rows = [r[:seq + 1] for r in rows]
        b = torch.nn.utils.rnn.pad_sequence(rows, batch_first=True, padding_value=pad)
        return b[:, :-1], b[:, 1:]
    return torch.utils.data.DataLoader(sentences, batch_size=batch, shuffle=shuffle, collate_fn=collate, num_workers=0)


# ---------------------------------------------------------------------------------------------------
# model: their dsf/utils/model_utils.py and dsf/dsf.py (GRU, residual blocks)

class GRUCell(nn.Module):
    """nn.GRUCell, with a tied nn.GRU for the fast forward over a whole sequence (batch first)."""

    def __init__(self, h):
        super().__init__()
        self.hidden_dim = h
        self.cell = nn.GRUCell(h, h)
        self._rnn = nn.GRU(h, h, batch_first=True)
        self._rnn.weight_ih_l0, self._rnn.weight_hh_l0 = self.cell.weight_ih, self.cell.weight_hh
        self._rnn.bias_ih_l0, self._rnn.bias_hh_l0 = self.cell.bias_ih, self.cell.bias_hh

    def forward(self, x, hidden):
        return self.cell(x, hidden)

    def rnn_forward(self, x):
        return self._rnn(x, self.initial_state(x).unsqueeze(0))[0]

    def initial_state(self, x):
        return torch.zeros(x.size(0), self.hidden_dim, dtype=x.dtype, device=x.device)


class StandardRnn(nn.Module):
    """BPTT."""

    def __init__(self, cell):
        super().__init__()
        self.rnn_cell = cell

    def forward(self, x):
        return self.rnn_cell.rnn_forward(x)


class NoBpttRnn(nn.Module):
    """FT-BPTT: the states from a no-grad pass, the cell re-run over B·T with h_{t-1} as a constant."""

    def __init__(self, cell):
        super().__init__()
        self.rnn_cell = cell

    def rerun(self, x):
        b, t, d = x.shape
        h0 = self.rnn_cell.initial_state(x)
        with torch.no_grad():
            states = self.rnn_cell.rnn_forward(x)
        states = torch.cat([h0.unsqueeze(1), states[:, :-1]], dim=1)
        return self.rnn_cell(x.reshape(-1, d), states.reshape(-1, states.size(2))).view(b, t, -1)

    def forward(self, x):
        return self.rerun(x)


class DfaRnn(NoBpttRnn):
    """DSF: the re-run, and a hook replacing the gradient of the states by g_t = e_t + g_{t+1} A."""

    def __init__(self, cell):
        super().__init__(cell)
        self.register_buffer("A", torch.diag(torch.linspace(0.0, 1.0, cell.hidden_dim)))

    def forward(self, x):
        out = self.rerun(x)
        if out.requires_grad:
            out.register_hook(torch.no_grad()(self.state_gradients))
        return out

    def state_gradients(self, e):
        seq = e.shape[1]
        g = e[:, seq - 1]
        grads = [g]
        for t in range(seq - 2, -1, -1):
            g = e[:, t] + torch.matmul(g, self.A)
            grads.append(g)
        return torch.stack(grads[::-1], dim=1)


LAYERS = {"bptt": StandardRnn, "ftbptt": NoBpttRnn, "dsf": DfaRnn}


class Model(nn.Module):
    def __init__(self, vocab, h, layers, method):
        super().__init__()
        self.embedding = nn.Embedding(vocab, h)
        self.layers = nn.ModuleList(LAYERS[method](GRUCell(h)) for _ in range(layers))
        self.classification_head = nn.Linear(h, vocab)
        for m in self.modules():                       # their reset_parameters (no nn.Sequential here)
            if isinstance(m, nn.Linear):
                m.weight.data.normal_(mean=0.0, std=0.02)
                if m.bias is not None:
                    m.bias.data.zero_()
            elif isinstance(m, nn.Embedding):
                m.weight.data.normal_(mean=0.0, std=0.02)

    def forward(self, x):                              # x [B, T] -> logits [B, T, V]
        x = self.embedding(x)
        for rnn in self.layers:
            x = rnn(x) + x
        return self.classification_head(x)


# ---------------------------------------------------------------------------------------------------
# training: their dsf/utils/engine.py, constant lr

@torch.no_grad()
def evaluate(model, batches, criterion, pad):
    model.eval()
    total, words = 0.0, 0
    for x, y in batches:
        total += criterion(model(x).reshape(-1, model.classification_head.out_features), y.reshape(-1)).item()
        words += (y != pad).sum().item()
    model.train()
    return total / words


def default_ptb():
    """The first PTB folder of those dsf4j's data/fetch.sh looks in: $DSF4J_DATA/ptb, ../shared/data/ptb beside
    the clone, data/cache/ptb (where it downloads); the last one when none holds it (the error then names it)."""
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    places = ([os.path.join(os.environ["DSF4J_DATA"], "ptb")] if os.environ.get("DSF4J_DATA") else []) + [
        os.path.join(repo, "..", "shared", "data", "ptb"), os.path.join(repo, "data", "cache", "ptb")]
    return next((p for p in places if os.path.isdir(p)), places[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=default_ptb(),
                    help="folder with ptb.{train,valid,test}.txt, plain or .gz (default: where ./run.sh fetch ptb finds it)")
    ap.add_argument("--method", default="bptt", choices=sorted(LAYERS))
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--seq", type=int, default=64, help="context_length: samples cut to seq + 1 ids")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--eval-batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--steps", type=int, default=240)
    ap.add_argument("--eval-every", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", help="append the validation rows here as JSON lines")
    ap.add_argument("--csv", help="write the validation rows here as CSV")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    corpus = Corpus(args.data)
    pad, vocab = corpus.dictionary.word2idx["<pad>"], len(corpus.dictionary)
    train = loader(corpus.train, args.batch, args.seq, pad, shuffle=True)
    valid = list(loader(corpus.valid, args.eval_batch, args.seq, pad, shuffle=False))
    model = Model(vocab, args.hidden, args.layers, args.method)
    criterion = nn.CrossEntropyLoss(ignore_index=pad, reduction="sum")
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    info = {"method": args.method, "layers": args.layers, "hidden": args.hidden, "vocab": vocab, "batch": args.batch,
            "seed": args.seed, "lr": args.lr, "weight_decay": args.weight_decay, "torch": torch.__version__,
            "params": sum(p.numel() for p in model.parameters())}
    print(json.dumps({"setup": "authors' PTB (bench/pytorch_authors_setup.py)", **info,
                      "train_sentences": len(corpus.train), "steps_per_epoch": len(train)}), flush=True)

    rows, step, train_loss, train_words, start = [], 0, 0.0, 0, time.time()
    while step < args.steps:
        for x, y in train:
            words = (y != pad).sum().item()
            optimizer.zero_grad()
            loss_sum = criterion(model(x).reshape(-1, vocab), y.reshape(-1))
            (loss_sum / words).backward()
            optimizer.step()
            step += 1
            train_loss, train_words = train_loss + loss_sum.item(), train_words + words
            if step % args.eval_every == 0 or step == args.steps:
                v = evaluate(model, valid, criterion, pad)
                row = {"step": step, "valid_loss": v, "valid_ppl": math.exp(v), "train_loss": train_loss / train_words,
                       "elapsed_s": round(time.time() - start, 1), **info}
                train_loss, train_words = 0.0, 0
                rows.append(row)
                print(json.dumps(row), flush=True)
                if args.out:
                    with open(args.out, "a") as f:
                        f.write(json.dumps(row) + "\n")
            if step >= args.steps:
                break
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)


if __name__ == "__main__":
    main()
