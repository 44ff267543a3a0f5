#!/usr/bin/env bash
# Scale measurements of BENCHMARKS.md ("Scale"): a generated 10,000-document project opened,
# saved, counted, exported to every format and run through suggestions, each command timed
# with /usr/bin/time (wall seconds, peak resident KB). Also Python's json.load of the same
# project exported as JSON, for comparison.
# Usage: scripts/scale.sh [DOCUMENTS] [ENGINES]
#   (defaults: 10000, gazetteer,rules,memory,model,relations)
set -euo pipefail
cd "$(dirname "$0")/.."
docs="${1:-10000}"
engines="${2:-gazetteer,rules,memory,model,relations}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --no-default-features --bin marginalia --example devtool >&2
bin="$(realpath "$target/release/marginalia")"
devtool="$(realpath "$target/release/examples/devtool")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
project="$work/scale.ron"

measure() { # LABEL COMMAND...
    local label="$1"; shift
    /usr/bin/time -f "$label	%e s	%M KB" "$@" >/dev/null 2>"$work/time.txt" || { cat "$work/time.txt" >&2; return 1; }
    tail -n 1 "$work/time.txt"
}

measure "generate $docs" "$devtool" generate "$project" --documents "$docs" --seed 1
ls -l "$project" | awk '{print "project file\t" $5 " bytes"}'
"$bin" stats "$project" --json | python3 -c 'import json,sys; s=json.load(sys.stdin); print("counts\t%d documents, %d spans, %d relations, %d entities, %d tokens" % (s["documents"], s["spans"], s["relations"], s["entities"], s["tokens"]))'
for run in 1 2 3; do
    measure "open (save-loop --times 0), run $run" "$devtool" save-loop "$project" --times 0
done
for run in 1 2 3; do
    measure "open + save (save-loop --times 1), run $run" "$devtool" save-loop "$project" --times 1
done
measure "open + 2 saves (save-loop --times 2)" "$devtool" save-loop "$project" --times 2
measure "stats" "$bin" stats "$project"
for format in ron json brat conll jsonl csv graphml html; do
    measure "export $format" "$bin" export "$project" --format "$format" --out "$work/out.$format" --force
done
python3 -c 'import json,sys; p=json.load(open(sys.argv[1], encoding="utf-8")); print("document text\t%d bytes UTF-8" % sum(len(d["text"].encode()) for d in p["documents"]))' "$work/out.json"
measure "json.load (python3) of the JSON export" python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$work/out.json"
measure "suggest --engines $engines" "$bin" suggest "$project" --engines "$engines"
