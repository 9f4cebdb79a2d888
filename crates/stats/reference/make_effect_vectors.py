"""Reference values for effect-size intervals (skafada-stats `effect` module).

Writes tests/fixtures/effect.json: noncentral chi-square cdf values (scipy.stats.ncx2)
and Cramér's V intervals by noncentrality inversion (Smithson 2003; as R confintr and
effectsize compute them), with the roots found by scipy.optimize.brentq at full
precision. Run from the repository root:

    .venv/bin/python crates/stats/reference/make_effect_vectors.py
"""

import json
import math
import pathlib

import numpy as np
from scipy import optimize, stats

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "effect.json"


def ncp_for(x, df, target):
    if stats.chi2.cdf(x, df) <= target:
        return 0.0
    high = max(x + 10.0, 1.0)
    while stats.ncx2.cdf(x, df, high) > target:
        high *= 2.0
    return optimize.brentq(lambda nc: stats.ncx2.cdf(x, df, nc) - target, 0.0, high, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500)


def v_interval(chi2, n, rows, cols, confidence):
    df = (rows - 1) * (cols - 1)
    scale = n * (min(rows, cols) - 1)
    alpha = 1 - confidence
    lo = ncp_for(chi2, df, 1 - alpha / 2)
    hi = ncp_for(chi2, df, alpha / 2)
    to_v = lambda nc: min(1.0, math.sqrt((nc + df) / scale))
    return {
        "chi2": chi2, "n": n, "rows": rows, "cols": cols, "confidence": confidence,
        "estimate": math.sqrt(chi2 / scale),
        "lower": 0.0 if lo == 0.0 else to_v(lo),
        "upper": to_v(hi),
    }


def main():
    rng = np.random.default_rng(20241124)
    cdf = []
    for x, df, nc in [(2.5, 3, 0.5), (10.0, 4, 7.0), (1.0, 1, 20.0), (50.0, 2, 40.0), (300.0, 6, 250.0), (5000.0, 10, 4800.0), (0.01, 2, 3.0), (30.0, 1, 0.001)]:
        cdf.append({"x": x, "df": df, "ncp": nc, "cdf": float(stats.ncx2.cdf(x, df, nc))})
    intervals = []
    for _ in range(40):
        rows, cols = int(rng.integers(2, 5)), int(rng.integers(2, 5))
        n = int(rng.choice([30, 120, 350, 2000, 100000]))
        table = rng.multinomial(n, rng.dirichlet(np.ones(rows * cols))).reshape(rows, cols)
        table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
        if table.shape[0] < 2 or table.shape[1] < 2:
            continue
        chi2 = float(stats.chi2_contingency(table, correction=False)[0])
        intervals.append(v_interval(chi2, int(table.sum()), table.shape[0], table.shape[1], 0.95))
    intervals.append(v_interval(3.8790069803665155, 40, 2, 2, 0.95))
    intervals.append(v_interval(0.9068826, 32, 2, 2, 0.95))
    OUT.write_text(json.dumps({"noncentral_cdf": cdf, "cramers_v": intervals}, indent=1) + "\n")


if __name__ == "__main__":
    main()
