#!/usr/bin/env python3
"""Generate reference vectors for skafada-stats from scipy, statsmodels and pingouin.

Writes JSON fixtures into ../tests/fixtures/ (relative to this file). The
fixtures are committed; re-run this script (see README.md) only when adding
cases or checking against newer library versions.

Every case is deterministic: random tables come from a seeded numpy Generator.
"""

import json
import math
import pathlib
import sys

import numpy as np
import pandas as pd
import pingouin
import scipy
import statsmodels
from scipy import stats
from scipy.stats.contingency import association
from statsmodels.stats.contingency_tables import Table, mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures"
RNG = np.random.default_rng(20240601)


def f(x):
    """Plain float (numpy scalars are not JSON serialisable)."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"non-finite reference value {x}")
    return x


def write(name, source, cases):
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    # One case per line: compact, yet diffs stay readable.
    lines = ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases)
    path.write_text(f'{{"generated_by":{json.dumps(source)},"cases":[\n{lines}\n]}}\n')
    print(f"{path.name}: {len(cases)} cases", file=sys.stderr)


VERSIONS = (
    f"make_vectors.py with python {sys.version.split()[0]}, numpy {np.__version__}, "
    f"scipy {scipy.__version__}, statsmodels {statsmodels.__version__}, "
    f"pingouin {pingouin.__version__}"
)


# --------------------------------------------------------------------------
# Crosstabs: Pearson, Yates, G, Cramér's V, expected counts, adjusted residuals
# --------------------------------------------------------------------------
def contingency_tables():
    tables = [
        [[12, 5], [9, 14]],
        [[10, 4, 2], [6, 8, 9], [3, 7, 11]],
        [[2, 8], [1, 9], [7, 3]],
        [[1, 1], [1, 1]],
        [[3, 0], [0, 3]],
        [[0, 5], [5, 0]],
        [[1, 25, 24], [6, 234, 235], [5, 235, 235]],
        # Far tails (p from ~1e-20 to ~1e-250).
        [[60, 10], [10, 60]],
        [[150, 20], [20, 150]],
        [[500, 10], [10, 500]],
        [[540, 20], [15, 560]],
        [[300, 10, 5], [10, 300, 10], [5, 10, 300]],
        [[200, 5, 5, 5], [5, 200, 5, 5], [5, 5, 200, 5]],
        [[1000, 800], [820, 1010]],
        [[123456, 120000], [118000, 125000]],
        [[5, 0, 0, 0, 1], [0, 5, 0, 1, 0], [0, 0, 5, 0, 0]],
    ]
    for _ in range(60):
        r = int(RNG.integers(2, 6))
        c = int(RNG.integers(2, 7))
        scale = float(RNG.choice([3, 10, 40, 200, 5000]))
        # Mostly independent margins plus a random amount of association, so
        # p-values spread from ~1 down to the far tail.
        w = float(RNG.choice([0.0, 0.02, 0.1, 0.3]))
        independent = np.outer(RNG.dirichlet(np.ones(r) * 3), RNG.dirichlet(np.ones(c) * 3)).ravel()
        probs = (1 - w) * independent + w * RNG.dirichlet(np.ones(r * c))
        n = int(RNG.integers(max(r * c, 5), int(scale * r * c) + r * c + 1))
        t = RNG.multinomial(n, probs).reshape(r, c)
        tables.append(t.tolist())
    # Drop tables with an empty row or column (scipy rejects them).
    return [t for t in tables if all(sum(row) > 0 for row in t) and all(sum(col) > 0 for col in zip(*t))]


def crosstab_cases():
    cases = []
    for t in contingency_tables():
        a = np.array(t)
        pearson = stats.chi2_contingency(a, correction=False)
        g = stats.chi2_contingency(a, correction=False, lambda_="log-likelihood")
        case = {
            "table": t,
            "expected": pearson.expected_freq.tolist(),
            "pearson": {"statistic": f(pearson.statistic), "df": int(pearson.dof), "p_value": f(pearson.pvalue)},
            "likelihood_ratio": {"statistic": f(g.statistic), "df": int(g.dof), "p_value": f(g.pvalue)},
            "cramers_v": f(association(a, method="cramer", correction=False)),
            "adjusted_residuals": Table(a, shift_zeros=False).standardized_resids.tolist(),
            "yates": None,
        }
        if a.shape == (2, 2):
            y = stats.chi2_contingency(a, correction=True)
            case["yates"] = {"statistic": f(y.statistic), "df": int(y.dof), "p_value": f(y.pvalue)}
        cases.append(case)
    return cases


# --------------------------------------------------------------------------
# Fisher 2x2 (scipy; R's values are in fisher.json from make_vectors.R)
# --------------------------------------------------------------------------
def fisher_2x2_cases():
    tables = [
        [[12, 5], [9, 14]],
        [[3, 1], [1, 3]],
        [[0, 7], [9, 3]],
        [[30, 1], [2, 40]],
        [[1, 0], [0, 1]],
        [[100, 0], [0, 100]],
        [[200, 0], [0, 200]],
        [[490, 10], [8, 492]],
        [[120, 40], [35, 130]],
        [[1500, 1400], [1380, 1520]],
    ]
    for _ in range(40):
        n = int(RNG.choice([8, 20, 60, 300, 3000]))
        t = RNG.multinomial(n, RNG.dirichlet(np.ones(4))).reshape(2, 2)
        tables.append(t.tolist())
    tables = [t for t in tables if all(sum(row) > 0 for row in t) and all(sum(col) > 0 for col in zip(*t))]
    cases = []
    for t in tables:
        case = {"table": t}
        for alt in ("two-sided", "greater", "less"):
            case[alt.replace("-", "_")] = f(stats.fisher_exact(t, alternative=alt).pvalue)
        cases.append(case)
    return cases


# --------------------------------------------------------------------------
# Two-proportion z-test (statsmodels proportions_ztest, pooled)
# --------------------------------------------------------------------------
def ztest_cases():
    pairs = [
        (71, 110, 48, 120),
        (48, 120, 71, 110),
        (50, 100, 50, 100),
        (1, 10, 0, 12),
        (0, 30, 4, 30),
        (530, 1000, 500, 1000),
        (600, 1000, 400, 1000),
        (700, 1000, 300, 1000),
        (800, 1000, 200, 1000),
        (900, 1000, 100, 1000),
        (950, 1000, 50, 1000),
        (1990, 2000, 10, 2000),
        (123, 456, 234, 567),
    ]
    for _ in range(30):
        n1 = int(RNG.integers(5, 3000))
        n2 = int(RNG.integers(5, 3000))
        x1 = int(RNG.integers(0, n1 + 1))
        x2 = int(RNG.integers(0, n2 + 1))
        pairs.append((x1, n1, x2, n2))
    cases = []
    for x1, n1, x2, n2 in pairs:
        pooled = (x1 + x2) / (n1 + n2)
        if pooled in (0.0, 1.0):
            continue
        case = {"x1": x1, "n1": n1, "x2": x2, "n2": n2, "p1": x1 / n1, "p2": x2 / n2, "pooled": pooled}
        for alt, key in (("two-sided", "two_sided"), ("larger", "greater"), ("smaller", "less")):
            z, p = proportions_ztest([x1, x2], [n1, n2], alternative=alt)
            case["z"] = f(z)
            case[key] = f(p)
        cases.append(case)
    return cases


# --------------------------------------------------------------------------
# McNemar (statsmodels): exact binomial, chi-square with and without correction
# --------------------------------------------------------------------------
def mcnemar_cases():
    tables = [
        [[30, 25], [8, 57]],
        [[10, 0], [0, 12]],
        [[5, 1], [0, 5]],
        [[5, 3], [3, 5]],
        [[20, 12], [2, 30]],
        [[100, 300], [2, 100]],
        [[0, 1000], [0, 0]],
        [[50, 400], [60, 50]],
        [[794, 86], [150, 570]],
    ]
    for _ in range(30):
        n = int(RNG.choice([10, 40, 200, 2000]))
        tables.append(RNG.multinomial(n, RNG.dirichlet(np.ones(4))).reshape(2, 2).tolist())
    cases = []
    for t in tables:
        a = np.array(t)
        ex = mcnemar(a, exact=True)
        case = {"table": t, "exact": {"statistic": f(ex.statistic), "p_value": f(ex.pvalue)}}
        if a[0, 1] + a[1, 0] > 0:
            cc = mcnemar(a, exact=False, correction=True)
            nc = mcnemar(a, exact=False, correction=False)
            case["corrected"] = {"statistic": f(cc.statistic), "p_value": f(cc.pvalue)}
            case["uncorrected"] = {"statistic": f(nc.statistic), "p_value": f(nc.pvalue)}
        cases.append(case)
    return cases


# --------------------------------------------------------------------------
# Wilson intervals (statsmodels proportion_confint method='wilson')
# --------------------------------------------------------------------------
def wilson_cases():
    inputs = [(0, 1), (1, 1), (0, 20), (20, 20), (1, 20), (98, 233), (71, 110), (48, 120), (5000, 10000), (3, 1000000)]
    for _ in range(30):
        n = int(RNG.integers(1, 5000))
        inputs.append((int(RNG.integers(0, n + 1)), n))
    cases = []
    for x, n in inputs:
        for conf in (0.9, 0.95, 0.99):
            lo, hi = proportion_confint(x, n, alpha=1 - conf, method="wilson")
            cases.append({"successes": x, "trials": n, "confidence": conf, "lower": f(lo), "upper": f(hi)})
    return cases


# --------------------------------------------------------------------------
# Holm and BH (statsmodels multipletests)
# --------------------------------------------------------------------------
def adjust_cases():
    families = [
        [0.01, 0.04, 0.03, 0.005],
        [0.05],
        [0.2, 0.2, 0.2],
        [1e-200, 1e-20, 0.5, 0.04, 0.04, 1.0],
        [0.0, 0.001, 0.9],
    ]
    for _ in range(25):
        m = int(RNG.integers(2, 30))
        p = RNG.uniform(0, 1, m) ** RNG.choice([1, 3, 8])
        families.append([float(v) for v in p])
    cases = []
    for p in families:
        cases.append(
            {
                "p_values": p,
                "holm": [f(v) for v in multipletests(p, method="holm")[1]],
                "bh": [f(v) for v in multipletests(p, method="fdr_bh")[1]],
            }
        )
    return cases


# --------------------------------------------------------------------------
# Cronbach's alpha (pingouin) with the unrounded Feldt interval
# --------------------------------------------------------------------------
def cronbach_cases():
    cases = []
    for i in range(25):
        n = int(RNG.integers(5, 150))
        k = int(RNG.integers(2, 10))
        levels = int(RNG.choice([2, 5, 7]))
        latent = RNG.normal(size=(n, 1))
        noise = RNG.normal(size=(n, k)) * RNG.uniform(0.5, 3.0)
        cut = np.quantile(latent + noise, np.linspace(0, 1, levels + 1)[1:-1])
        data = np.digitize(latent + noise, cut).astype(float)
        if i % 3 == 0:
            # Sprinkle missing answers (listwise deletion).
            mask = RNG.uniform(size=data.shape) < 0.05
            data[mask] = np.nan
        df = pd.DataFrame(data)
        complete = df.dropna()
        if len(complete) < 2 or complete.sum(axis=1).var() == 0:
            continue
        for conf in (0.95, 0.9):
            alpha, ci_rounded = pingouin.cronbach_alpha(df, nan_policy="listwise", ci=conf)
            nn, kk = complete.shape
            df1 = nn - 1
            df2 = df1 * (kk - 1)
            lower = 1 - (1 - alpha) * stats.f.isf((1 - conf) / 2, df1, df2)
            upper = 1 - (1 - alpha) * stats.f.isf((1 + conf) / 2, df1, df2)
            rows = [[None if math.isnan(v) else v for v in row] for row in data.tolist()]
            cases.append(
                {
                    "responses": rows,
                    "confidence": conf,
                    "n": int(nn),
                    "alpha": f(alpha),
                    "lower": f(lower),
                    "upper": f(upper),
                    "pingouin_ci_rounded": [f(ci_rounded[0]), f(ci_rounded[1])],
                }
            )
    return cases


def main():
    write("crosstab.json", VERSIONS, crosstab_cases())
    write("fisher_scipy_2x2.json", VERSIONS, fisher_2x2_cases())
    write("ztest.json", VERSIONS, ztest_cases())
    write("mcnemar.json", VERSIONS, mcnemar_cases())
    write("wilson.json", VERSIONS, wilson_cases())
    write("adjust.json", VERSIONS, adjust_cases())
    write("cronbach.json", VERSIONS, cronbach_cases())


if __name__ == "__main__":
    main()
