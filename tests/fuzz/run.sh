#!/usr/bin/env bash
# Runs tenure's fuzz targets for a bounded time each (cargo-fuzz, nightly):
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET ...]
# default 60 s, every target. Seeds: tests/fuzz/corpus/TARGET (committed),
# the first 16 KiB of each of
# data/ and ../shared/data/ (copied into target/fuzz-corpus, never into the
# repository). Prints per target the executions, the coverage reached and
# any crash; a crash's input is left in tests/fuzz/artifacts/TARGET/ and
# belongs, once fixed, in tests/fuzz/corpus/TARGET/ (the normal suite then
# replays it). Exits 1 when a target crashed. Touches no network.
# FUZZ_SANITIZER=none runs without AddressSanitizer (several times the
# executions a second; Rust code panics on what ASan would catch, except in
# unsafe code, which tenure keeps to src/base/mapped.rs and two thin calls
# into mimalloc (src/lib.rs's allocator, reload's mi_collect): run the
# compiled target with ASan too). Leak detection is off: LeakSanitizer reports the 64 bytes glibc keeps per
# thread for Rust's thread-local destructors as a leak (a first run of the
# leases target stopped on it); memory growth is the soak's to find.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(rpsl delegated routing leases arin_xml addresses whois_line rdap bulk nrtm overlay compiled)
fi
command -v cargo-fuzz >/dev/null || { echo "cargo install cargo-fuzz" >&2; exit 2; }
shared=../shared/data
work=target/fuzz-corpus
mkdir -p "$work"
seed() { # TARGET FILE...: copies (gunzipped) files into the target's corpus
  local t=$1; shift
  mkdir -p "$work/$t"
  for f in "$@"; do
    [ -f "$f" ] || continue
    local name
    name=$(basename "$f" .gz)
    case "$f" in
      *.gz) gzip -dc "$f" | head -c 16384 > "$work/$t/seed-$name" || true ;;
      *) head -c 16384 "$f" > "$work/$t/seed-$name" ;;
    esac
  done
}
seed rpsl data/test-*.db data/test-arin.txt $shared/rpsl/*.gz $shared/rpsl/*.test
seed delegated data/delegated-* $shared/delegated/*
seed leases data/*.jsonl
seed arin_xml data/test-arin.xml
seed routing data/test-pfx2as-*.txt data/test-vrps.* data/routing-history/*
status=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "$work/$t" "tests/fuzz/artifacts/$t"
  # a seed changed in the repository (a new file format) replaces its old
  # copy in the work corpus
  cp -u tests/fuzz/corpus/"$t"/* "$work/$t/" 2>/dev/null || true
  # line-level targets get short inputs (what a line is); the others up
  # to 64 KiB (an object is at most 256 KiB, a line 64 KiB)
  case "$t" in
    addresses|whois_line) maxlen=1024 ;;
    delegated|leases|routing) maxlen=4096 ;;
    *) maxlen=65536 ;;
  esac
  log="target/fuzz-$t.log"
  if cargo +nightly fuzz run --fuzz-dir tests/fuzz ${FUZZ_SANITIZER:+--sanitizer "$FUZZ_SANITIZER"} "$t" "$work/$t" -- \
      -max_total_time="$secs" -max_len="$maxlen" -rss_limit_mb=4096 -timeout=10 -detect_leaks=0 \
      -artifact_prefix="tests/fuzz/artifacts/$t/" >"$log" 2>&1; then
    result=ok
  else
    result=CRASH
    status=1
  fi
  runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  summary+=("$(printf '%-11s %-6s %12s runs  cov %6s  in %s s' "$t" "$result" "$runs" "$cov" "$secs")")
done
printf '%s\n' "${summary[@]}"
exit $status
