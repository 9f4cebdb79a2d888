"""Reads an SPSS file with pyreadstat and prints what it holds as JSON.

Used by crates/export/tests/export/external.rs: `python read_sav.py FILE`.
"""
import json
import math
import sys

import pyreadstat

df, meta = pyreadstat.read_sav(sys.argv[1], user_missing=True)


def cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value if value != "" else None
    return float(value)


print(json.dumps({
    "names": list(meta.column_names),
    "labels": dict(zip(meta.column_names, meta.column_labels)),
    "value_labels": {
        name: {str(int(code)): label for code, label in labels.items()}
        for name, labels in meta.variable_value_labels.items()
    },
    "missing": {
        name: [[r["lo"], r["hi"]] for r in ranges]
        for name, ranges in meta.missing_ranges.items()
    },
    "measures": meta.variable_measure,
    "file_label": meta.file_label,
    "mr_sets": {
        name: {"label": s.get("label"), "counted_value": str(s.get("counted_value")), "variables": list(s.get("variable_list", []))}
        for name, s in getattr(meta, "mr_sets", {}).items()
    },
    "data": {name: [cell(v) for v in df[name].tolist()] for name in meta.column_names},
}))
