"""Reference values for differences between proportions (skafada-stats `difference` module).

Writes two fixtures into ../tests/fixtures/:

* paired_difference.json: paired 2x2 tables [[a, b], [c, d]] (rows: first measurement,
  columns: second) with the difference second - first = (c - b) / n, its Wald interval
  and Newcombe's (1998) method 10 interval. statsmodels has no paired-difference
  interval, so the script computes both by their published formulas, taking the two
  Wilson intervals from statsmodels `proportion_confint(method="wilson")`; Newcombe's
  phi carries his continuity correction, as in Fagerland, Lydersen and Laake's
  `Newcombe_square_and_add_CI_paired_2x2` (R package contingencytables).
* independent_difference.json: two independent proportions with statsmodels
  `confint_proportions_2indep(method="newcomb")`, the score test at difference 0
  `test_proportions_2indep(method="score", correction=False)` (the pooled z-test),
  and Cohen's h from `proportion_effectsize`.

Deterministic (seeded numpy Generator). Run from the repository root:

    .venv/bin/python crates/stats/reference/make_difference_vectors.py
"""

import json
import math
import pathlib
import sys
import warnings

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    test_proportions_2indep,
)

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures"
RNG = np.random.default_rng(20261206)
VERSIONS = (
    f"make_difference_vectors.py with python {sys.version.split()[0]}, numpy {np.__version__}, "
    f"scipy {scipy.__version__}, statsmodels {statsmodels.__version__}"
)


def f(x):
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"non-finite reference value {x}")
    return x


def write(name, cases):
    path = OUT / name
    lines = ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases)
    path.write_text(f'{{"generated_by":{json.dumps(VERSIONS)},"cases":[\n{lines}\n]}}\n')
    print(f"{path.name}: {len(cases)} cases", file=sys.stderr)


def wilson(x, n, confidence):
    lo, hi = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    # statsmodels can round a bound a hair outside [0, 1] at x = 0 or x = n.
    return (0.0 if x == 0 else float(lo)), (1.0 if x == n else float(hi))


def newcombe_phi(a, b, c, d):
    margins = [a + b, c + d, a + c, b + d]
    if 0 in margins:
        return 0.0
    n = a + b + c + d
    cross = a * d - b * c
    if cross > n / 2:
        num = cross - n / 2
    elif cross >= 0:
        num = 0.0
    else:
        num = cross
    return num / math.sqrt(math.prod(margins))


def paired(a, b, c, d, confidence):
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson(a + b, n, confidence)
    l2, u2 = wilson(a + c, n, confidence)
    est = p2 - p1
    z = stats.norm.isf((1 - confidence) / 2)
    se = math.sqrt(max((b + c) / n - ((c - b) / n) ** 2, 0.0) / n)
    phi = newcombe_phi(a, b, c, d)
    below = math.sqrt(max((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2, 0.0))
    above = math.sqrt(max((u2 - p2) ** 2 - 2 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1) ** 2, 0.0))
    return {
        "table": [[a, b], [c, d]], "confidence": confidence,
        "estimate": f(est), "phi": f(phi),
        "wald_lower": f(max(est - z * se, -1.0)), "wald_upper": f(min(est + z * se, 1.0)),
        "newcombe_lower": f(max(est - below, -1.0)), "newcombe_upper": f(min(est + above, 1.0)),
    }


def independent(x1, n1, x2, n2, confidence):
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", alpha=1 - confidence)
    case = {
        "x1": x1, "n1": n1, "x2": x2, "n2": n2, "confidence": confidence,
        "estimate": f(x1 / n1 - x2 / n2), "lower": f(lo), "upper": f(hi),
        "cohens_h": f(proportion_effectsize(x1 / n1, x2 / n2)),
    }
    pooled = (x1 + x2) / (n1 + n2)
    if 0 < pooled < 1:
        t = test_proportions_2indep(x1, n1, x2, n2, method="score", correction=False)
        case["z"] = f(t.statistic)
        case["p_value"] = f(t.pvalue)
    return case


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    tables = [
        (30, 25, 8, 57), (1, 1, 7, 12), (59, 6, 16, 80), (0, 0, 0, 10), (10, 0, 0, 0),
        (0, 5, 0, 0), (0, 0, 5, 0), (5, 5, 5, 5), (12, 0, 9, 3), (40, 2, 30, 1),
        (1, 0, 0, 1), (200, 35, 80, 150), (3000, 400, 900, 2500),
    ]
    for _ in range(60):
        n = int(RNG.choice([8, 25, 60, 150, 800, 5000]))
        cells = RNG.multinomial(n, RNG.dirichlet(np.ones(4)))
        tables.append(tuple(int(v) for v in cells))
    paired_cases = [paired(*t, conf) for t in tables for conf in (0.95, 0.9, 0.99)]
    write("paired_difference.json", paired_cases)

    pairs = [
        (71, 110, 48, 120), (7, 34, 1, 34), (0, 16, 15, 72), (0, 10, 0, 12), (10, 10, 12, 12),
        (1, 1, 0, 1), (5, 5, 0, 9), (300, 1000, 250, 1000),
    ]
    for _ in range(60):
        n1 = int(RNG.choice([5, 20, 80, 300, 2000]))
        n2 = int(RNG.choice([5, 20, 80, 300, 2000]))
        pairs.append((int(RNG.binomial(n1, RNG.uniform())), n1, int(RNG.binomial(n2, RNG.uniform())), n2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        indep_cases = [independent(*p, conf) for p in pairs for conf in (0.95, 0.9)]
    write("independent_difference.json", indep_cases)


if __name__ == "__main__":
    main()
