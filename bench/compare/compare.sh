#!/usr/bin/env bash
# Before/after comparison on the same machine: runs the given scenarios against the server built from
# <before> and from the working tree, alternating, for <rounds> rounds, with the SAME bench client
# (this tree's), so only the server differs. Results land in bench/results/compare/<label>-<round>/.
# usage: bench/compare/compare.sh <before-commit> <rounds> <scenario> [<scenario>...] [-- bench options]
# example: bench/compare/compare.sh 9cbefdb 3 s1 s2 -- --quick
set -euo pipefail
before=$1; rounds=$2; shift 2
scenarios=(); options=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; options=("$@"); break; fi
  scenarios+=("$1"); shift
done
root=$(git rev-parse --show-toplevel)
tree="$root/../compare-before-$(git rev-parse --short "$before")"
if [ ! -d "$tree" ]; then git worktree add -q --detach "$tree" "$before"; fi
dotnet build -c Release "$tree/src/Messaging.Functions" -p:BuildWebClient=false -v q -nologo >/dev/null
dotnet build -c Release "$root/src/Messaging.Functions" -p:BuildWebClient=false -v q -nologo >/dev/null
dotnet build -c Release "$root/bench/Messaging.Bench" -v q -nologo >/dev/null
bench="$root/bench/Messaging.Bench/bin/Release/net10.0/Messaging.Bench.dll"
out="$root/bench/results/compare"
mkdir -p "$out"
# The runs overwrite this tree's bench/results/<scenario>.*; they are put back when the comparison ends.
saved=$(mktemp -d)
cp "$root"/bench/results/*.json "$root"/bench/results/*.md "$saved"/ 2>/dev/null || true
trap 'cp "$saved"/* "$root/bench/results/" 2>/dev/null; rm -rf "$saved"' EXIT
for round in $(seq 1 "$rounds"); do
  for label in before after; do
    if [ "$label" = before ]; then dir=$tree; else dir=$root; fi
    echo "round $round $label: load $(cut -d' ' -f1-3 /proc/loadavg)"
    # The bench finds the repository (and so the server it starts) from its working directory.
    (cd "$dir" && dotnet "$bench" "${scenarios[@]}" "${options[@]}" > "$out/$label-$round.log" 2>&1) || echo "  (a scenario failed; see $out/$label-$round.log)"
    mkdir -p "$out/$label-$round"
    for s in "${scenarios[@]}"; do cp "$dir/bench/results/$s.json" "$out/$label-$round/" 2>/dev/null || true; done
  done
done
python3 "$root/bench/compare/summarize.py" "$out" "$rounds" "${scenarios[@]}"
