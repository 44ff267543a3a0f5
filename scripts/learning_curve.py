#!/usr/bin/env python3
"""Plots the learning curve of `marginalia evaluate --simulate --json` runs.

    python3 scripts/learning_curve.py OUT.png LABEL=RUN.json [LABEL=RUN.json ...]

Each run gives the per-document suggestion F1 (thin line) and its running mean over the
documents done so far (thick line), with the run's effort ratio in the legend.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    out, runs = argv[1], argv[2:]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    for spec in runs:
        label, _, path = spec.partition("=")
        with open(path) as f:
            run = json.load(f)
        f1 = [d["f1"] for d in run["documents"]]
        xs = list(range(1, len(f1) + 1))
        mean = [sum(f1[:i]) / i for i in xs]
        line, = ax.plot(xs, f1, linewidth=0.8, alpha=0.45)
        ax.plot(xs, mean, linewidth=2.2, color=line.get_color(),
                label=f"{label} (running mean; effort ratio {run['effort_ratio']:.3f})")
    ax.set_xlabel("document (in order; the engines learn from the ones before)")
    ax.set_ylabel("suggestion F1 on the document")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Simulated analyst on re3d-dev: learning curve")
    fig.tight_layout()
    fig.savefig(out)


if __name__ == "__main__":
    main(sys.argv)
