#!/usr/bin/env python3
"""Generate reference vectors for Cohen's kappa from scikit-learn.

Writes ../tests/fixtures/kappa.json (relative to this file): pairs of raters' codes for
the same items, with scikit-learn's `cohen_kappa_score` and the observed agreement. Run
with scikit-learn installed (see README.md); the fixture is committed.

Every case is deterministic: ratings come from a seeded numpy Generator.
"""

import json
import math
import pathlib
import sys
import warnings

import numpy as np
import sklearn
from sklearn.metrics import cohen_kappa_score

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "kappa.json"
RNG = np.random.default_rng(20261206)


def case(a, b, categories):
    a = [int(x) for x in a]
    b = [int(x) for x in b]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kappa = float(cohen_kappa_score(a, b, labels=list(range(categories))))
    return {
        "categories": categories,
        "a": a,
        "b": b,
        "kappa": kappa if math.isfinite(kappa) else None,
        "observed": float(np.mean(np.array(a) == np.array(b))),
    }


def cases():
    out = []
    # Presence or absence of a code on passages (what two coders of a transcript give),
    # from rare codes to common ones, with coders who agree more or less.
    for n in [5, 12, 40, 137, 500, 2000]:
        for prevalence in [0.05, 0.3, 0.5]:
            for fidelity in [0.5, 0.8, 0.95]:
                a = RNG.random(n) < prevalence
                flip = RNG.random(n) > fidelity
                b = np.where(flip, RNG.random(n) < prevalence, a)
                out.append(case(a, b, 2))
    # Several categories (e.g. an audit criterion's levels).
    for n in [20, 90, 400]:
        for k in [3, 4, 6]:
            a = RNG.integers(0, k, n)
            b = np.where(RNG.random(n) < 0.7, a, RNG.integers(0, k, n))
            out.append(case(a, b, k))
    # Edge cases: perfect agreement, complete disagreement, one coder constant, and both
    # constant on one category (kappa undefined).
    out.append(case([1, 0, 1, 1, 0], [1, 0, 1, 1, 0], 2))
    out.append(case([1, 0, 1, 0], [0, 1, 0, 1], 2))
    out.append(case([1, 1, 1, 1, 1, 1], [1, 0, 1, 1, 0, 1], 2))
    out.append(case([0, 0, 0, 0], [0, 0, 0, 0], 2))
    return out


def main():
    source = (
        f"make_kappa_vectors.py with python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )
    rows = ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases())
    OUT.write_text(f'{{"generated_by":{json.dumps(source)},"cases":[\n{rows}\n]}}\n')
    print(f"{OUT.name}: written", file=sys.stderr)


if __name__ == "__main__":
    main()
