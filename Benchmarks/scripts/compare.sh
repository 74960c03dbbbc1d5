#!/usr/bin/env bash
# Side-by-side throughput: space-triage classify vs rg, grep and wc on one synthetic Space log.
#
# usage: [FAILURE_PERCENT=8] [RUNS=3] Benchmarks/scripts/compare.sh [SIZE_MB] [--jobs N] [--skip-grep]
# Generates (once) a deterministic synthetic corpus of SIZE_MB (default 1024), exports the
# catalog's failure patterns for rg/grep, runs each tool with the page cache warm, and prints
# MB/s (median of $RUNS runs, default 3), ratios against rg, and peak resident memory.
# space-triage runs on one thread, then on N (default: the number of cores; a file of 8 MiB or
# more is read in parts). Then start-up:
# `--version`, `patterns list` and `classify` of one small Corpus log vs rg on the same file
# (Benchmarks/scripts/startup.py, medians of 25 runs).
# Needs: swift, python3, rg, GNU grep, /usr/bin/time.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
size="${1:-1024}"
jobs=$(nproc)
skip_grep=0
shift || true
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) jobs="$2"; shift 2 ;;
    --skip-grep) skip_grep=1; shift ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done
data="${BENCH_DATA:-$root/Benchmarks/.data}"
mkdir -p "$data"
# FAILURE_PERCENT=8: a corpus where that share of the lines are failure lines (more work per line).
if [ -n "${FAILURE_PERCENT:-}" ]; then
  corpus="$data/synthetic-${size}MB-fail${FAILURE_PERCENT}.log"
  [ -f "$corpus" ] || python3 "$root/Benchmarks/scripts/generate-corpus.py" "$size" "$corpus" --failure-percent "$FAILURE_PERCENT"
else
  corpus="$data/synthetic-${size}MB.log"
  [ -f "$corpus" ] || python3 "$root/Benchmarks/scripts/generate-corpus.py" "$size" "$corpus"
fi

(cd "$root" && swift build -c release --product space-triage >/dev/null)
bin="$root/.build/release/space-triage"
"$bin" patterns export > "$data/patterns.pcre"
"$bin" patterns export --dialect ere > "$data/patterns.ere"
bytes=$(stat -c %s "$corpus")
cat "$corpus" > /dev/null  # warm the page cache

# run NAME COMMAND…: runs it $RUNS times (default 3: one run on a shared machine can be off by
# 20 %), prints the median seconds, MB/s and the largest peak RSS; remembers the median in $last
runs="${RUNS:-3}"
run() {
  local name="$1"; shift
  local start end rss=0 times=() i
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s.%N)
    # Not /dev/null: GNU grep stops at the first match when its output is /dev/null.
    /usr/bin/time -f "%M" -o "$data/rss" "$@" > "$data/out" 2> "$data/stderr" || true
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
    rss=$(( $(tail -1 "$data/rss") > rss ? $(tail -1 "$data/rss") : rss ))
  done
  last=$(printf "%s\n" "${times[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p")
  printf "%-28s %8.2f s %9.1f MB/s %8.1f MiB peak\n" "$name" "$last" "$(echo "$bytes / 1048576 / $last" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

echo "corpus: $corpus ($((bytes / 1048576)) MiB, $(wc -l < "$corpus") lines), catalog: $(wc -l < "$data/patterns.pcre") failure patterns"
run "wc -l" wc -l "$corpus"; wc_s=$last
run "rg -c --no-unicode -f" rg -c --no-unicode -f "$data/patterns.pcre" "$corpus"; rg_s=$last
if [ "$skip_grep" = 0 ]; then run "grep -c -E -f" grep -c -E -f "$data/patterns.ere" "$corpus"; fi
run "space-triage (--jobs 1)" "$bin" classify --jobs 1 --format json "$corpus"; st_s=$last
printf "space-triage --jobs 1 vs rg: %.2fx the throughput\n" "$(echo "$rg_s / $st_s" | bc -l)"
if [ "$jobs" -gt 1 ]; then
  run "space-triage (--jobs $jobs)" "$bin" classify --jobs "$jobs" --format json "$corpus"; stn_s=$last
  printf "space-triage --jobs %s vs rg: %.2fx the throughput\n" "$jobs" "$(echo "$rg_s / $stn_s" | bc -l)"
  printf "space-triage --jobs %s vs --jobs 1: %.2fx\n" "$jobs" "$(echo "$st_s / $stn_s" | bc -l)"
fi
echo
python3 "$root/Benchmarks/scripts/startup.py" "$data/patterns.pcre" "$root/Corpus/startup/missing-secret.log" "$bin"
