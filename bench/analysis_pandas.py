"""The SKAFADA analysis pass written with pandas + scipy, for `skafada bench analysis --pandas`.

Reads an export folder written by the benchmark (pre.csv, post.csv, sites.csv, the two
instruments and plan.toml), then times only the computation after loading:

* cleaning: the share of *applicable* questions answered, with "applicable" from the
  instrument's routing (show-if, end-if, specify), evaluated once per distinct routing
  pattern as the Rust engine does; returning, empty, ended and below-minimum records are
  excluded in that order;
* every derived variable of the plan (recode with text rules, bands, rules,
  text-categories, answer-key);
* every table of the plan (frequencies, side-by-side, multi-response, matrix, difficulty,
  sites) as value counts;
* every family of tests of association: crosstab without non-substantive codes, Pearson
  chi-square with scipy `chi2_contingency(correction=False)`, the G statistic
  (`lambda_="log-likelihood"`), Cramér's V, Fisher's exact test for 2x2 tables, Holm
  adjustment per family;
* every pre/post comparison: Wilson intervals, the pooled one-tailed z-test, and for linked
  respondents the exact McNemar test (binomial) and the Wilcoxon signed-rank test;
* Cronbach's alpha of each reliability battery, before and after.

Simplifications (documented in bench/README.md): Fisher's test for r x c tables (which Rust
runs on sparse tables, exactly or by Monte Carlo) is not run, because scipy has no exact
r x c test; percentages are not rounded into table cells; labels are not attached.

The hot paths use the fastest idiomatic pandas found, not the most convenient calls:
pd.crosstab and Series.value_counts cost milliseconds per call whatever the size of the
data, so a crosstab is one np.bincount over codes from pd.factorize (each variable coded
once per pass), a frequency table is pd.factorize + np.bincount, linked pairs are numpy
arrays rather than a DataFrame per statement, routing patterns are grouped with
groupby(sort=False).ngroup() rather than np.unique(axis=0) (a sort of the rows), the
answers routing depends on are read once per pattern rather than cell by cell, and isin
runs only for variables with non-substantive codes. The tables, counts and p-values are
the same as with pd.crosstab and value_counts (checked with --dump).

Prints one JSON object: {"seconds": median, "load_seconds", "kept", "tests", "runs"}.
With --dump FILE it also writes every table, statistic and p-value of the last run to
FILE as canonical JSON (not timed), so that two versions of this script (or of pandas and
scipy) can be compared exactly: run it directly on a folder kept with
`skafada bench analysis --pandas --keep DIR`, e.g.
`.venv-bench/bin/python bench/analysis_pandas.py --data DIR/n20000 --repetitions 1 --dump a.json`.
"""

import argparse
import json
import statistics
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

RECORD_COLUMNS = ["response_id", "respondent_id", "site", "status", "returning", "started_on"]


# --- Instruments -------------------------------------------------------------------------

class Instrument:
    def __init__(self, doc):
        self.scales = {k: v["options"] for k, v in doc.get("scales", {}).items()}
        self.pages = doc["pages"]
        self.items = {}
        for page in self.pages:
            for item in page["items"]:
                self.items[item["id"]] = item

    def options(self, item):
        if "options" in item:
            return item["options"]
        if "scale" in item:
            return self.scales[item["scale"]]
        return []

    def variables(self, item):
        kind = item["type"]
        if kind == "consent":
            return []
        if kind == "matrix":
            return [r["id"] for r in item["rows"]]
        if kind == "multiple":
            return [f'{item["id"]}.{o["code"]}' for o in self.options(item)]
        return [item["id"]]

    def non_substantive(self):
        out = {}
        for item in self.items.values():
            codes = [o["code"] for o in self.options(item) if "missing" in o]
            for var in ([r["id"] for r in item["rows"]] if item["type"] == "matrix" else [item["id"]]):
                out[var] = codes
        return out

    def routing_items(self):
        found = set()

        def walk(cond):
            if cond is None:
                return
            if "item" in cond:
                found.add(cond["item"])
            for c in cond.get("all", []) + cond.get("any", []):
                walk(c)

        for page in self.pages:
            walk(page.get("show-if"))
            for item in page["items"]:
                walk(item.get("show-if"))
                if "end-if" in item or "specify" in item:
                    found.add(item["id"])
        return sorted(found)

    def applicable(self, answers):
        """Variables (as lists of columns, any answered counts) applicable for answers."""

        visible = set()

        def holds(cond):
            if cond is None:
                return True
            if "item" in cond:
                return cond["item"] in visible and bool(answers.get(cond["item"], set()) & set(cond["is"]))
            if "all" in cond:
                return all(holds(c) for c in cond["all"])
            return any(holds(c) for c in cond["any"])

        out = []
        for page in self.pages:
            if not holds(page.get("show-if")):
                continue
            for item in page["items"]:
                if not holds(item.get("show-if")):
                    continue
                visible.add(item["id"])
                if item["type"] == "matrix":
                    visible.update(r["id"] for r in item["rows"])
                if item["type"] == "matrix":
                    out.extend([r["id"]] for r in item["rows"])
                elif item["type"] == "multiple":
                    out.append(self.variables(item))
                elif item["type"] != "consent":
                    out.append([item["id"]])
                spec = item.get("specify")
                if spec and answers.get(item["id"], set()) & set(spec["when"]):
                    out.append([spec["id"]])
                end = item.get("end-if")
                if end and answers.get(item["id"], set()) & set(end["is"]):
                    return out
        return out


# --- Cleaning ----------------------------------------------------------------------------

def routing_tests(inst):
    """(item, codes) for every test the routing makes of an item's answer."""
    tests = []

    def walk(cond):
        if cond is None:
            return
        if "item" in cond:
            tests.append((cond["item"], tuple(cond["is"])))
        for c in cond.get("all", []) + cond.get("any", []):
            walk(c)

    for page in inst.pages:
        walk(page.get("show-if"))
        for item in page["items"]:
            walk(item.get("show-if"))
            if "end-if" in item:
                tests.append((item["id"], tuple(item["end-if"]["is"])))
            if "specify" in item:
                tests.append((item["id"], tuple(item["specify"]["when"])))
    return sorted(set(tests))


def picks_any(df, inst, item_id, codes):
    item = inst.items.get(item_id)
    if item is not None and item["type"] == "multiple":
        hit = np.zeros(len(df), bool)
        for code in codes:
            column = f"{item_id}.{code}"
            if column in df.columns:
                hit |= (df[column] == 1).to_numpy()
        return hit
    return df[item_id].isin(codes).to_numpy()


def answered_shares(df, inst):
    # Records that agree on every routing test share a route (as in the Rust engine): the
    # route is evaluated once per distinct pattern of test outcomes.
    tests = [t for t in routing_tests(inst) if t[0] in inst.items or t[0] in df.columns]
    if tests:
        bits = np.column_stack([picks_any(df, inst, item, codes) for item, codes in tests])
        # Groups numbered in order of first appearance (groupby with sort=False: a hash of
        # the patterns; np.unique(bits, axis=0) sorts the rows, seconds at a million).
        groups = pd.DataFrame(bits).groupby(list(range(bits.shape[1])), sort=False).ngroup().to_numpy()
        first = np.flatnonzero(~pd.Series(groups).duplicated().to_numpy())
    else:
        first = np.zeros(1, dtype=np.int64)
        groups = np.zeros(len(df), dtype=np.int64)
    routing_items = sorted({item for item, _ in tests})
    # The answers of each group's first record stand for the whole group: only those
    # records of the routing columns are read (one row each, as Python values).
    first_answers = {}
    for item_id in routing_items:
        item = inst.items.get(item_id)
        if item is not None and item["type"] == "multiple":
            for o in inst.options(item):
                column = f'{item_id}.{o["code"]}'
                first_answers[column] = df[column].to_numpy()[first].tolist()
        else:
            first_answers[item_id] = df[item_id].to_numpy()[first].tolist()
    have = set(df.columns)
    applicable_count = np.zeros(len(first))
    applies = {}
    for group in range(len(first)):
        answers = {}
        for item_id in routing_items:
            item = inst.items.get(item_id)
            if item is not None and item["type"] == "multiple":
                ticked = {o["code"] for o in inst.options(item)
                          if first_answers[f'{item_id}.{o["code"]}'][group] == 1}
                if ticked:
                    answers[item_id] = ticked
            elif not pd.isna(first_answers[item_id][group]):
                answers[item_id] = {int(first_answers[item_id][group])}
        applicable = inst.applicable(answers)
        for columns in applicable:
            present = [c for c in columns if c in have]
            if not present:
                continue
            applicable_count[group] += 1
            applies.setdefault(tuple(present), np.zeros(len(first), bool))[group] = True
    answered = np.zeros(len(df))
    for columns, classes in applies.items():
        hit = df[list(columns)].notna().to_numpy().any(axis=1)
        answered += hit & classes[groups]
    denominator = applicable_count[groups]
    return np.divide(answered, denominator, out=np.zeros(len(df)), where=denominator > 0)


def clean(df, inst, rules):
    share = answered_shares(df, inst)
    returning = (df["returning"] == 1).to_numpy() if rules.get("exclude-returning") else np.zeros(len(df), bool)
    empty = (share == 0) | (df["status"] == "started").to_numpy()
    ended = (df["status"] == "ended").to_numpy() if rules.get("exclude-ended") else np.zeros(len(df), bool)
    below = share < rules["minimum-answered"]
    keep = ~(returning | empty | ended | below)
    return df[keep].reset_index(drop=True)


# --- Derived variables -------------------------------------------------------------------

def holds(df, when):
    if "all" in when:
        out = np.ones(len(df), bool)
        for w in when["all"]:
            out &= holds(df, w)
        return out
    if "any" in when:
        out = np.zeros(len(df), bool)
        for w in when["any"]:
            out |= holds(df, w)
        return out
    if when.get("var") not in df.columns:
        return np.zeros(len(df), bool)
    v = df[when["var"]]
    if "is" in when:
        return v.isin(when["is"]).to_numpy()
    if "not" in when:
        return (~v.isin(when["not"])).to_numpy()
    if "answered" in when:
        return (v.notna() == when["answered"]).to_numpy()
    return np.zeros(len(df), bool)


def derive(df, plan, inst):
    new = {}
    members = {}
    for d in plan.get("derive", []):
        kind = d["kind"]
        if kind == "recode":
            mapping = {f: c["code"] for c in d["categories"] for f in c.get("from", [])}
            if "from" in d:
                sources = [(d["from"], d["id"])]
            else:
                item = inst.items.get(d["each-row-of"])
                if item is None:
                    continue
                sources = [(r["id"], f'{d["id"]}:{r["id"]}') for r in item["rows"]]
                members[d["id"]] = [t for _, t in sources]
            for source, target in sources:
                if source not in df.columns:
                    continue
                out = df[source].map(mapping)
                if d.get("specify") and d.get("text-rules") and d["specify"] in df.columns:
                    text = df[d["specify"]].where(df[source].isin(d.get("other", []))).str.lower()
                    for rule in reversed(d["text-rules"]):
                        hit = text.str.contains("|".join(map(lambda w: __import__("re").escape(w.lower()), rule["contains"])), na=False)
                        out = out.mask(hit, rule["code"])
                new[target] = out
        elif kind == "bands":
            if d["from"] not in df.columns:
                continue
            v = df[d["from"]]
            if "subtract-from" in d:
                v = d["subtract-from"] - v
            conditions = [((v >= b.get("min", -np.inf)) & (v <= b.get("max", np.inf))).to_numpy() for b in d["bands"]]
            new[d["id"]] = pd.Series(np.select(conditions, [b["code"] for b in d["bands"]], np.nan)).where(v.notna().to_numpy())
        elif kind == "rules":
            conditions = [holds(df, c["when"]) for c in d["categories"]]
            new[d["id"]] = pd.Series(np.select(conditions, [c["code"] for c in d["categories"]], np.nan))
        elif kind == "text-categories":
            if d["from"] not in df.columns:
                continue
            text = df[d["from"]].str.lower()
            present = text.notna()
            ids = []
            for c in d["categories"]:
                hit = np.zeros(len(df), bool)
                for w in c["contains"]:
                    hit |= text.str.contains(w.lower(), regex=False, na=False).to_numpy()
                column = f'{d["id"]}.{c["code"]}'
                new[column] = pd.Series(hit.astype(float)).where(present.to_numpy())
                ids.append(column)
            members[d["id"]] = ids
        elif kind == "answer-key":
            ids = []
            total = pd.Series(np.zeros(len(df)))
            for row, correct in d["key"].items():
                if row not in df.columns:
                    continue
                mark = (df[row] == correct).astype(float).where(df[row].notna())
                new[f'{d["id"]}:{row}'] = mark
                ids.append(f'{d["id"]}:{row}')
                total = total + mark
            new[d["id"]] = total
            members[d["id"]] = ids
    # copy=False: the new columns are not stacked into one block first (a copy of every
    # derived column, seconds at a million records).
    df = pd.concat([df, pd.DataFrame(new, index=df.index, copy=False)], axis=1)
    return df, members


# --- Tables and tests --------------------------------------------------------------------

def value_counts(series):
    """`series.value_counts()` as pd.factorize + np.bincount (the same counts, in order of
    first appearance instead of by count; without value_counts' per-call overhead)."""
    codes, levels = pd.factorize(series)
    return pd.Series(np.bincount(codes[codes >= 0], minlength=len(levels)), index=levels)


def tables(df, plan, members, inst, data_name):
    out = []
    for t in plan.get("table", []):
        if t.get("data", "pre") != data_name:
            continue
        kind = t["kind"]
        if kind == "sites":
            out.append(value_counts(df["site"]))
        elif kind == "frequencies":
            for s in t["sections"]:
                counts = value_counts(df[s["variable"]])
                out.append(100 * counts / counts.sum())
        elif kind == "side-by-side":
            for g in t["groups"]:
                counts = value_counts(df[g["variable"]])
                out.append(100 * counts / counts.sum())
        elif kind == "multi-response":
            cols = members.get(t["set"]) or inst.variables(inst.items[t["set"]])
            ticks = df[cols] == 1
            counts = ticks.sum()
            cases = ticks.any(axis=1).sum()
            out.append((100 * counts / counts.sum(), 100 * counts / max(cases, 1)))
        elif kind == "matrix":
            source = t.get("derived", t["item"])
            cols = members.get(source) or [r["id"] for r in inst.items[source]["rows"]]
            for c in cols:
                counts = value_counts(df[c])
                out.append(100 * counts / counts.sum())
        elif kind == "difficulty":
            for c in members[t["key"]]:
                out.append((df[c].notna().sum(), (df[c] == 1).sum()))
    return out


def substantive(series, codes):
    """The series with its non-substantive codes as missing (no isin pass when it has none:
    isin costs milliseconds per call at a million records)."""
    return series.where(~series.isin(codes)) if codes else series


def holm(p):
    p = np.asarray(p, float)
    if len(p) == 0:
        return p
    order = np.argsort(p)
    adjusted = np.minimum(1, np.maximum.accumulate(p[order] * (len(p) - np.arange(len(p)))))
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out


def select_outcomes(df, patterns, by):
    out = []
    for pattern in patterns:
        if pattern.endswith("*"):
            out.extend(c for c in df.columns if c.startswith(pattern[:-1]) and c != by
                       and pd.api.types.is_numeric_dtype(df[c]))
        else:
            out.append(pattern)
    return out


def associations(df, plan, nonsub):
    # Each variable is coded once (pd.factorize, sorted levels, missing and non-substantive
    # codes as one extra last level); a crosstab is then one np.bincount of the pairs of
    # codes, with the extra row and column dropped: the table pd.crosstab gives, with the
    # same level order, without its per-call overhead.
    coded = {}

    def code(var):
        if var not in coded:
            codes, levels = pd.factorize(substantive(df[var], nonsub.get(var)), sort=True)
            coded[var] = (np.where(codes < 0, len(levels), codes), levels)
        return coded[var]

    count = 0
    results = []
    for family in plan.get("association", []):
        by = family["by"]
        rows, row_levels = code(by)
        ps = []
        for outcome in select_outcomes(df, family["outcomes"], by):
            columns, column_levels = code(outcome)
            shape = (len(row_levels) + 1, len(column_levels) + 1)
            table = np.bincount(rows * shape[1] + columns, minlength=shape[0] * shape[1])
            table = table.reshape(shape)[:-1, :-1]
            present_rows, present_columns = table.sum(axis=1) > 0, table.sum(axis=0) > 0
            observed = table[present_rows][:, present_columns]
            if observed.shape[0] < 2 or observed.shape[1] < 2:
                continue
            chi2, p, dof, expected = stats.chi2_contingency(observed, correction=False)
            g, p_g, _, _ = stats.chi2_contingency(observed, correction=False, lambda_="log-likelihood")
            v = np.sqrt(chi2 / (observed.sum() * (min(observed.shape) - 1)))
            fisher = stats.fisher_exact(observed) if observed.shape == (2, 2) else None
            ps.append(p)
            results.append({"by": by, "outcome": outcome, "rows": row_levels[present_rows],
                            "columns": column_levels[present_columns], "observed": observed,
                            "chi2": chi2, "p": p, "dof": dof, "g": g, "p_g": p_g, "v": v,
                            "fisher": fisher})
        for result, adjusted in zip(results[len(results) - len(ps):], holm(ps)):
            result["holm"] = adjusted
        count += len(ps)
    return count, results


def wilson(x, n, z=1.959963984540054):
    if n == 0:
        return (0.0, 1.0)
    centre = (x + z * z / 2) / (n + z * z)
    half = z / (n + z * z) * np.sqrt(x * (n - x) / n + z * z / 4)
    return (centre - half, centre + half)


def prepost(pre, post, plan, pre_inst, post_inst, nonsub_pre, nonsub_post):
    twin = {}
    for item in post_inst.items.values():
        if item["type"] == "matrix":
            for r in item["rows"]:
                if "twin" in r:
                    twin[r["twin"]] = r["id"]
        elif "twin" in item:
            twin[item["twin"]] = item["id"]
    keys = {d["id"]: d["key"] for d in plan.get("derive", []) if d["kind"] == "answer-key"}
    linked = pre[["respondent_id"]].reset_index().merge(
        post[["respondent_id"]].reset_index(), on="respondent_id", suffixes=("_pre", "_post"))
    linked_pre, linked_post = linked["index_pre"].to_numpy(), linked["index_post"].to_numpy()
    count = 0
    results = []
    for family in plan.get("prepost", []):
        ps = []
        for row in [r["id"] for r in pre_inst.items[family["item"]]["rows"]]:
            if row not in twin:
                continue
            success = [keys[family["key"]][row]] if "key" in family else family["success"]
            a = substantive(pre[row], nonsub_pre.get(row))
            b = substantive(post[twin[row]], nonsub_post.get(twin[row]))
            n1, x1 = b.notna().sum(), b.isin(success).sum()
            n2, x2 = a.notna().sum(), a.isin(success).sum()
            intervals = wilson(x1, n1), wilson(x2, n2)
            pooled = (x1 + x2) / (n1 + n2)
            se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
            z = (x1 / n1 - x2 / n2) / se
            p = stats.norm.sf(z) if family["alternative"] == "greater" else stats.norm.cdf(z)
            ps.append(p)
            result = {"row": row, "n": (n1, n2), "x": (x1, x2), "wilson": intervals, "z": z, "p": p,
                      "mcnemar": None, "wilcoxon": None}
            results.append(result)
            pair_a = a.to_numpy(dtype=float)[linked_pre]
            pair_b = b.to_numpy(dtype=float)[linked_post]
            both = ~(np.isnan(pair_a) | np.isnan(pair_b))
            pair_a, pair_b = pair_a[both], pair_b[both]
            if len(pair_a):
                sa, sb = np.isin(pair_a, success), np.isin(pair_b, success)
                left, joined = int((sa & ~sb).sum()), int((~sa & sb).sum())
                if left + joined:
                    result["mcnemar"] = (left, joined, stats.binomtest(min(left, joined), left + joined, 0.5).pvalue)
                if (pair_b != pair_a).any():
                    w = stats.wilcoxon(pair_b, pair_a)
                    result["wilcoxon"] = (w.statistic, w.pvalue)
        for result, adjusted in zip(results[len(results) - len(ps):], holm(ps)):
            result["holm"] = adjusted
        count += len(ps)
    return count, results


def alpha(df, columns, nonsub):
    data = pd.DataFrame({c: substantive(df[c], nonsub.get(c)) for c in columns}).dropna()
    k = data.shape[1]
    item_variance = data.var(axis=0, ddof=1).sum()
    total_variance = data.sum(axis=1).var(ddof=1)
    return k / (k - 1) * (1 - item_variance / total_variance)


def analyse(pre_raw, post_raw, plan, pre_inst, post_inst):
    nonsub_pre, nonsub_post = pre_inst.non_substantive(), post_inst.non_substantive()
    pre = clean(pre_raw, pre_inst, plan["cleaning"]["pre"])
    post = clean(post_raw, post_inst, plan["cleaning"]["post"])
    pre, members_pre = derive(pre, plan, pre_inst)
    post, members_post = derive(post, plan, post_inst)
    details = {"kept": {"pre": len(pre), "post": len(post)}}
    details["tables"] = {"pre": tables(pre, plan, members_pre, pre_inst, "pre"),
                         "post": tables(post, plan, members_post, post_inst, "post")}
    tests, details["associations"] = associations(pre, plan, nonsub_pre)
    more, details["prepost"] = prepost(pre, post, plan, pre_inst, post_inst, nonsub_pre, nonsub_post)
    tests += more
    twin = {r.get("twin"): r["id"] for i in post_inst.items.values() if i["type"] == "matrix" for r in i["rows"]}
    details["alpha"] = []
    for battery in plan.get("reliability", []):
        rows = [r["id"] for r in pre_inst.items[battery["item"]]["rows"]]
        before = alpha(pre, rows, nonsub_pre)
        after = alpha(post, [twin[r] for r in rows], nonsub_post) if all(r in twin for r in rows) else None
        details["alpha"].append({"item": battery["item"], "pre": before, "post": after})
    return len(pre), tests, details


def load(folder):
    folder = Path(folder)
    manifest = tomllib.loads((folder / "manifest.toml").read_text())
    pre_inst = Instrument(tomllib.loads((folder / manifest["pre"]).read_text()))
    post_inst = Instrument(tomllib.loads((folder / manifest["post"]).read_text()))
    plan = tomllib.loads((folder / "plan.toml").read_text())
    sites = pd.read_csv(folder / "sites.csv")
    site_number = {s: i + 1 for i, s in enumerate(sites["site"])}

    def read(name):
        df = pd.read_csv(folder / name, dtype={"response_id": str, "respondent_id": str,
                                               "site": str, "status": str, "started_on": str})
        df["site"] = df["site"].map(site_number)
        return df

    return read("pre.csv"), read("post.csv"), plan, pre_inst, post_inst


def plain(value):
    """The results of `analyse` as JSON values, in a canonical form: a table of counts or
    percentages is a list of [value, figure] pairs sorted by value (whole-number floats
    written as integers), so that outputs of different implementations can be diffed."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, pd.Series):
        return sorted([plain(k), plain(v)] for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (np.ndarray, pd.Index)):
        return [plain(v) for v in value.tolist()]
    if hasattr(value, "statistic") and hasattr(value, "pvalue"):
        return [plain(value.statistic), plain(value.pvalue)]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if value != value:
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    return value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--dump", metavar="FILE",
                        help="also write every table, test statistic and p-value of the last "
                             "run to FILE as JSON (not timed), to compare versions of this script")
    args = parser.parse_args()
    started = time.perf_counter()
    pre, post, plan, pre_inst, post_inst = load(args.data)
    load_seconds = time.perf_counter() - started
    times = []
    for _ in range(max(1, args.repetitions)):
        started = time.perf_counter()
        kept, tests, details = analyse(pre, post, plan, pre_inst, post_inst)
        times.append(time.perf_counter() - started)
    if args.dump:
        Path(args.dump).write_text(json.dumps(plain(details), indent=1) + "\n")
    json.dump({"seconds": statistics.median(times), "load_seconds": load_seconds,
               "kept": kept, "tests": tests, "runs": times}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
