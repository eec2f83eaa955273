#!/usr/bin/env bash
# data/fetch.sh DATASET [DEST]
#
# Finds the three splits of DATASET (a name in data/datasets.tsv: ptb, wikitext-2, wikitext-103), checks
# each against the digest recorded in the manifest, and writes the decompressed, verified text files
# DEST/<file> (default DEST: <repo>/data/cache/DATASET). Where each split comes from, first hit wins:
#   1. $DSF4J_DATA/DATASET/<file>[.gz]             (a folder laid out like shared/data)
#   2. <repo>/../shared/data/DATASET/<file>[.gz]   (the shared corpora beside the clone)
#   3. the manifest's public sources, in order (URL, or URL#member of a .zip/.tgz archive)
# The text's digest decides (a .gz compressed differently from the shared copy is fine).
# A file already in DEST with the right digest is kept. A wrong digest is one line on stderr and exit 1;
# nothing unverified is left in DEST. Prints DEST on stdout when done.
set -euo pipefail

die() { echo "fetch.sh: $*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: data/fetch.sh DATASET [DEST] (DATASET: ptb, wikitext-2, wikitext-103)"
name=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
manifest="$here/datasets.tsv"
dest=${2:-"$repo/data/cache/$name"}

rows=$(awk -F'\t' -v d="$name" '$1 == d' "$manifest")
[ -n "$rows" ] || die "unknown dataset '$name': use one of $(awk -F'\t' '!/^#/ && NR > 1 && $1 != "dataset" {print $1}' "$manifest" | sort -u | paste -sd, -)"
mkdir -p "$dest"

# digest_of FILE KIND: sha256 or sha1 of a plain file.
digest_of() { "${2}sum" "$1" | cut -d' ' -f1; }

# fetch_source SPEC OUT: downloads URL or URL#member into OUT (plain text); archives are kept once in
# DEST/.download so the three splits of one archive download it once.
fetch_source() {
  local url=${1%%#*} member= archive
  [[ $1 == *#* ]] && member=${1#*#}
  if [ -z "$member" ]; then
    curl -fsSL --retry 2 -o "$2" "$url" || wget -q -O "$2" "$url"
    return
  fi
  mkdir -p "$dest/.download"
  archive="$dest/.download/$(basename "$url")"
  if [ ! -s "$archive" ]; then
    curl -fsSL --retry 2 -o "$archive.part" "$url" || wget -q -O "$archive.part" "$url"
    mv "$archive.part" "$archive"
  fi
  case "$url" in
    *.zip) unzip -p "$archive" "$member" > "$2" ;;
    *.tgz|*.tar.gz) tar -xzOf "$archive" "$member" > "$2" ;;
    *) die "cannot unpack $url: only .zip and .tgz archives are supported" ;;
  esac
}

while IFS=$'\t' read -r _ split file _ sha256 _ sha1 sources; do
  if [ "$sha256" != "-" ]; then kind=sha256; want=$sha256; else kind=sha1; want=$sha1; fi
  [ "$want" != "-" ] || die "$name $split: no digest recorded in $manifest: add one before fetching"
  out="$dest/$file"
  if [ -f "$out" ] && [ "$(digest_of "$out" "$kind")" = "$want" ]; then continue; fi

  tmp="$out.part"
  got=
  for dir in ${DSF4J_DATA:+"$DSF4J_DATA/$name"} "$repo/../shared/data/$name"; do
    if [ -f "$dir/$file.gz" ]; then
      gzip -dc "$dir/$file.gz" > "$tmp"; got="$dir/$file.gz"; break
    elif [ -f "$dir/$file" ]; then
      cp "$dir/$file" "$tmp"; got="$dir/$file"; break
    fi
  done
  if [ -z "$got" ]; then
    for spec in $sources; do
      if fetch_source "$spec" "$tmp" 2>/dev/null && [ -s "$tmp" ]; then got=$spec; break; fi
    done
    [ -n "$got" ] || { rm -f "$tmp"; die "$name $split: not in \$DSF4J_DATA or ../shared/data and no source could be downloaded ($sources): put $file.gz in one of those folders"; }
  fi
  have=$(digest_of "$tmp" "$kind")
  if [ "$have" != "$want" ]; then
    rm -f "$tmp"
    die "$got: $kind $have of the text does not match the recorded $want for $name $split: the copy is wrong or corrupt; fetch a good one"
  fi
  mv "$tmp" "$out"
  echo "fetch.sh: $name $split verified ($kind) from $got" >&2
done <<< "$rows"
rm -rf "$dest/.download"
echo "$dest"
