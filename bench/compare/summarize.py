"""Prints a before/after table from bench/results/compare: for each scenario row, the value of every round."""
import json, os, statistics, sys, re

out, rounds, scenarios = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
NUMBER = re.compile(r"([0-9][0-9,]*\.?[0-9]*) (ms|KB|cores|deliveries/s|pages/s)")

def rows(label, round_, scenario):
    path = os.path.join(out, f"{label}-{round_}", f"{scenario}.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        data = json.load(f)
    return {r["metric"]: r["measured"] for r in data["rows"]}

for scenario in scenarios:
    print(f"## {scenario}")
    metrics = []
    for round_ in range(1, rounds + 1):
        for metric in rows("after", round_, scenario):
            if metric not in metrics:
                metrics.append(metric)
    for metric in metrics:
        print(f"- {metric}")
        for label in ("before", "after"):
            values = [rows(label, r, scenario).get(metric, "-") for r in range(1, rounds + 1)]
            print(f"  {label:6}: " + " | ".join(values))
