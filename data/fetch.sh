#!/usr/bin/env bash
# data/fetch.sh DATASET...
#
# The shell entry to `./run.sh fetch DATASET...` (dsf4j.data.CorpusFetcher), kept for scripts: finds each corpus
# named in data/datasets.tsv (ptb, wikitext-2, wikitext-103) in $DSF4J_DATA/DATASET/, <repo>/../shared/data/DATASET/
# or <repo>/data/cache/DATASET/, or else downloads it from the manifest's public sources into data/cache/DATASET/
# (each file verified against its recorded digest before it gets its name; nothing unverified is left behind);
# prints each folder on stdout. train, eval and generate do the same by themselves when a corpus is missing.
set -euo pipefail
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/run.sh" fetch "$@"
