#!/usr/bin/env python3
"""Checks the synthetic demo case-study set in this folder (stdlib only, Python 3.11+).

    python3 crates/demo/case-studies/check.py

Reads case-studies.toml, the transcripts beside it and frameworks/skafada.toml, and checks
that they are consistent: transcripts in the strict one-line-per-turn layout, passages on
Participant turns with quotes copied exactly, codes that exist in the framework,
redaction terms that occur, summaries only where there is a coded passage, document
ratings that are the framework's options, coverage of every sub-theme and research
question, and the two coders' agreement on the double-coded interviews. It prints what
it found and exits 1 with every problem listed if anything is wrong.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
FRAMEWORK = ROOT / "frameworks" / "skafada.toml"
DATA = HERE / "case-studies.toml"

SPEAKERS = ("Interviewer: ", "Participant: ")
SITES = {"CS1": "LA01", "CS2": "LA02", "CS3": "LA03"}
INTERVIEWERS = {"Researcher A", "Researcher B"}
MODES = {"Online (Teams)", "Telephone"}
DOUBLE_CODED = {"CS1-P01", "CS2-P03"}
TURNS = (25, 45)
WORDS = (1200, 2000)
FIRST_PASSAGES = (8, 15)
SUMMARIES = (5, 10)
REPORT_QUOTES = (15, 20)
DOCUMENTS = (2, 4)
KAPPA_BAND = (0.4, 0.9)

# The redaction rule of crates/transcripts/src/redact.rs: a capitalised word after a
# title or one of these cues is taken for a name.
TITLES = {"mr", "mrs", "ms", "miss", "dr", "prof", "mx"}
CUES = {"called", "named", "colleague", "manager", "supervisor"}

problems: list[str] = []


def problem(message: str) -> None:
    problems.append(message)


def turns_of(path: Path) -> list[tuple[str, str]]:
    """The turns of a transcript as (speaker, text); the header is turn 1."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    name = path.name
    if not lines:
        problem(f"{name}: empty")
        return []
    header = lines[0]
    if ":" in header:
        problem(f"{name}:1: the header line has a colon")
    if header.startswith(SPEAKERS) or not header.strip():
        problem(f"{name}:1: the first line must be the header")
    turns = [("Unattributed", header.strip())]
    # Layout: header, then (blank, turn) pairs to the end.
    for number, line in enumerate(lines[1:], start=2):
        if number % 2 == 0:
            if line != "":
                problem(f"{name}:{number}: expected a blank line between turns, found {line[:40]!r}")
            continue
        if not line.startswith(SPEAKERS):
            problem(f"{name}:{number}: a line that is neither a turn nor blank: {line[:40]!r}")
            continue
        speaker, text = line.split(": ", 1)
        if not text.strip() or text != text.strip():
            problem(f"{name}:{number}: turn text is empty or has stray spaces")
        turns.append((speaker, text.strip()))
    return turns


def whole_word(term: str, text: str) -> bool:
    """Whether `term` occurs in `text` as whole words, ignoring ASCII case (as redact.rs)."""
    word = r"[\w'-]"
    return re.search(rf"(?<!{word}){re.escape(term)}(?!{word})", text, re.IGNORECASE) is not None


def names_by_rule(text: str) -> list[str]:
    """The words the transcript importer's name rule would take for names."""
    found = []
    words = text.split(" ")
    for i, word in enumerate(words[:-1]):
        bare = word.strip("".join(c for c in set(word) if not c.isalnum())).lower()
        if bare not in TITLES and bare not in CUES:
            continue
        if word.endswith((".", ",", ";", ":", "?", "!")) and bare not in TITLES:
            continue
        core = re.match(r"[A-Za-z'-]*", words[i + 1]).group(0)
        if len(core) > 1 and core[0].isupper():
            found.append(core)
    return found


def kappa(pairs: list[tuple[bool, bool]]) -> float | None:
    n = len(pairs)
    agree = sum(a == b for a, b in pairs) / n
    p1 = sum(a for a, _ in pairs) / n
    p2 = sum(b for _, b in pairs) / n
    expected = p1 * p2 + (1 - p1) * (1 - p2)
    if expected == 1:
        return None
    return (agree - expected) / (1 - expected)


def main() -> int:
    framework = tomllib.loads(FRAMEWORK.read_text(encoding="utf-8"))
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))

    roles = {r["id"] for r in framework["participant-role"]}
    rqs = [q["id"] for q in framework["research-question"]]
    sub_rqs: dict[str, list[str]] = {}
    for theme in framework["theme"]:
        for sub in theme["sub-theme"]:
            sub_rqs[sub["id"]] = sub.get("research-questions", theme.get("research-questions", []))
    kinds = set(framework["document-kinds"])
    criteria = {c["id"]: c["options"] for c in framework["audit-criterion"]}
    minimum = framework["confidentiality"]["min-interviewees-per-role"]

    known = {"interview", "passage", "summary", "document"}
    for key in data:
        if key not in known:
            problem(f"case-studies.toml: unknown table {key!r}")

    # ----------------------------------------------------------------------- interviews
    interviews = {}
    transcripts = {}
    all_redact: set[str] = set()
    print("Transcripts")
    for iv in data.get("interview", []):
        pid = iv.get("pseudonym", "?")
        expected_keys = {"pseudonym", "site", "role", "interviewed-on", "interviewer", "mode",
                         "consent-recorded-by", "transcript", "redact", "double-coded"}
        if set(iv) != expected_keys:
            problem(f"{pid}: keys {sorted(set(iv) ^ expected_keys)} missing or unexpected")
        if pid in interviews:
            problem(f"{pid}: listed twice")
        interviews[pid] = iv
        if not re.fullmatch(r"CS[1-3]-P0[1-9]", pid):
            problem(f"{pid}: pseudonym is not like CS1-P01")
        elif iv.get("site") != SITES[pid[:3]]:
            problem(f"{pid}: site {iv.get('site')} does not match case study {pid[:3]}")
        if iv.get("role") not in roles:
            problem(f"{pid}: role {iv.get('role')!r} is not a framework role")
        if not re.fullmatch(r"2026-0[2-4]-[0-3]\d", str(iv.get("interviewed-on"))):
            problem(f"{pid}: interviewed-on must be a YYYY-MM-DD date in Feb-Apr 2026")
        for key in ("interviewer", "consent-recorded-by"):
            if iv.get(key) not in INTERVIEWERS:
                problem(f"{pid}: {key} must be Researcher A or Researcher B")
        if iv.get("mode") not in MODES:
            problem(f"{pid}: mode {iv.get('mode')!r}")
        if iv.get("double-coded") != (pid in DOUBLE_CODED):
            problem(f"{pid}: double-coded should be {pid in DOUBLE_CODED}")
        path = HERE / iv.get("transcript", "")
        if iv.get("transcript") != f"{pid.lower()}.txt" or not path.is_file():
            problem(f"{pid}: transcript {iv.get('transcript')!r} missing or misnamed")
            continue
        turns = turns_of(path)
        transcripts[pid] = turns
        words = sum(len(text.split()) for _, text in turns)
        file_words = len(path.read_text(encoding="utf-8").split())
        print(f"  {path.name}: {len(turns)} turns (header included), {words} words "
              f"({file_words} with speaker labels)")
        if not TURNS[0] <= len(turns) <= TURNS[1]:
            problem(f"{path.name}: {len(turns)} turns, outside {TURNS}")
        if not WORDS[0] <= words <= WORDS[1] or not WORDS[0] <= file_words <= WORDS[1]:
            problem(f"{path.name}: {words}/{file_words} words, outside {WORDS}")
        speakers = [s for s, _ in turns[1:]]
        if speakers[:1] != ["Interviewer"]:
            problem(f"{path.name}: the first turn after the header is not the Interviewer's")
        redact = iv.get("redact", [])
        if not 1 <= len(redact) <= 3:
            problem(f"{pid}: 1-3 redact terms expected")
        all_redact.update(redact)
        body = "\n".join(text for _, text in turns[1:])
        for term in redact:
            if not whole_word(term, body):
                problem(f"{pid}: redact term {term!r} does not occur as a whole word")
        # The importer's name rule must find only names that are listed.
        for _, text in turns:
            for name in names_by_rule(text):
                if not any(whole_word(name, term) for term in redact):
                    problem(f"{pid}: the name rule would take {name!r} for a name, "
                            "and it is not in redact")

    per_site_role = Counter((iv["site"], iv["role"]) for iv in interviews.values())
    eligible = {pid for pid, iv in interviews.items()
                if per_site_role[(iv["site"], iv["role"])] >= minimum}

    # ------------------------------------------------------------------------- passages
    first_codes: dict[str, set[str]] = defaultdict(set)
    any_codes: dict[str, set[str]] = defaultdict(set)
    coded_times: Counter[str] = Counter()
    per_interview_first: Counter[str] = Counter()
    by_unit: dict[tuple[str, int], dict[str, tuple[set[str], str | None]]] = defaultdict(dict)
    report_quotes = []
    passages = data.get("passage", [])
    for n, p in enumerate(passages, start=1):
        where = f"passage {n} ({p.get('interview')} turn {p.get('turn')} {p.get('coder')})"
        extra = set(p) - {"interview", "turn", "quote", "codes", "coder", "memo", "report-quote"}
        if extra:
            problem(f"{where}: unexpected keys {sorted(extra)}")
        pid = p.get("interview")
        if pid not in interviews:
            problem(f"{where}: no such interview")
            continue
        turns = transcripts.get(pid, [])
        turn = p.get("turn")
        if not isinstance(turn, int) or not 1 <= turn <= len(turns):
            problem(f"{where}: no such turn")
            continue
        speaker, text = turns[turn - 1]
        if speaker != "Participant":
            problem(f"{where}: turn {turn} is the {speaker}'s, not the Participant's")
        quote = p.get("quote")
        if quote is not None and quote not in text:
            problem(f"{where}: the quote is not an exact substring of the turn")
        codes = p.get("codes", [])
        if not 1 <= len(codes) <= 3 or len(set(codes)) != len(codes):
            problem(f"{where}: 1-3 distinct codes expected")
        for code in codes:
            if code not in sub_rqs:
                problem(f"{where}: {code!r} is not a sub-theme of the framework")
        coder = p.get("coder")
        if coder not in ("first", "second"):
            problem(f"{where}: coder must be first or second")
            continue
        if coder == "second" and pid not in DOUBLE_CODED:
            problem(f"{where}: a second coder on an interview that is not double-coded")
        if coder in by_unit[(pid, turn)]:
            problem(f"{where}: a second passage by the same coder on the same turn")
        by_unit[(pid, turn)][coder] = (set(codes), quote)
        any_codes[pid].update(codes)
        if coder == "first":
            per_interview_first[pid] += 1
            first_codes[pid].update(codes)
            coded_times.update(codes)
        if p.get("report-quote", False):
            if coder != "first":
                problem(f"{where}: report quotations are chosen on the first coder's passages")
            shown = quote if quote is not None else text
            for term in all_redact:
                if whole_word(term, shown):
                    problem(f"{where}: report quotation contains the redaction term {term!r}")
            report_quotes.append((pid, codes))

    print("\nPassages")
    for pid in interviews:
        count = per_interview_first[pid]
        seconds = sum(1 for (i, _), c in by_unit.items() if i == pid and "second" in c)
        print(f"  {pid}: {count} by the first coder"
              + (f", {seconds} by the second" if seconds else ""))
        if not FIRST_PASSAGES[0] <= count <= FIRST_PASSAGES[1]:
            problem(f"{pid}: {count} first-coder passages, outside {FIRST_PASSAGES}")
    print(f"  total: {len(passages)} passages")

    for sub in sub_rqs:
        if coded_times[sub] < 2:
            problem(f"sub-theme {sub} is coded {coded_times[sub]} times (at least 2 expected)")
    print(f"  sub-themes coded (first coder): {len(coded_times)} of {len(sub_rqs)}, "
          f"fewest {min(coded_times[s] for s in sub_rqs)} times")

    # --------------------------------------------------------------- report quotations
    print(f"\nReport quotations: {len(report_quotes)}")
    if not REPORT_QUOTES[0] <= len(report_quotes) <= REPORT_QUOTES[1]:
        problem(f"{len(report_quotes)} report quotations, outside {REPORT_QUOTES}")
    withheld = [pid for pid, _ in report_quotes if pid not in eligible]
    print(f"  from roles with fewer than {minimum} interviewees at their site "
          f"(to be withheld): {len(withheld)} ({', '.join(sorted(set(withheld)))})")
    if len(withheld) < 3:
        problem("fewer than three report quotations to show withholding")
    per_rq = Counter()
    for pid, codes in report_quotes:
        if pid in eligible:
            for rq in {rq for code in codes for rq in sub_rqs.get(code, [])}:
                per_rq[rq] += 1
    print("  printable quotations per research question: "
          + ", ".join(f"{rq} {per_rq[rq]}" for rq in rqs))
    for rq in rqs:
        if per_rq[rq] < 2:
            problem(f"{rq} has {per_rq[rq]} printable report quotations (2 expected)")

    # ------------------------------------------------------------------- double coding
    print("\nAgreement on the double-coded interviews")
    units = []
    for pid in sorted(DOUBLE_CODED):
        mine = {turn: c for (i, turn), c in by_unit.items() if i == pid}
        if not mine or not all({"first", "second"} <= set(c) for c in mine.values()):
            problem(f"{pid}: every coded turn needs both coders")
        for turn, c in sorted(mine.items()):
            if {"first", "second"} <= set(c):
                if c["first"][1] != c["second"][1]:
                    problem(f"{pid} turn {turn}: the coders' quotes differ")
                units.append((pid, turn, c["first"][0], c["second"][0]))
    differing = sum(1 for _, _, a, b in units if a != b)
    print(f"  {len(units)} coded turns, coders differ on {differing} "
          f"({100 * differing / max(len(units), 1):.0f}%)")
    # As crates/qualitative/src/coding.rs does: the units of agreement are every turn of
    # each double-coded transcript, a coder applying a code to a turn when any of their
    # passages in that turn carries it.
    coded = {(pid, turn): (a, b) for pid, turn, a, b in units}
    every_turn = [coded.get((pid, turn), (set(), set()))
                  for pid in sorted(DOUBLE_CODED)
                  for turn in range(1, len(transcripts.get(pid, [])) + 1)]
    print(f"  kappa per sub-theme over all {len(every_turn)} turns of the two transcripts:")
    in_band = 0
    defined = 0
    for code in sub_rqs:
        pairs = [(code in a, code in b) for a, b in every_turn]
        if not any(x or y for x, y in pairs):
            continue
        k = kappa(pairs)
        only_first = sum(1 for x, y in pairs if x and not y)
        only_second = sum(1 for x, y in pairs if y and not x)
        shown = "null" if k is None else f"{k:.3f}"
        print(f"  {code:30} kappa {shown:>6}  first {sum(x for x, _ in pairs)}  "
              f"second {sum(y for _, y in pairs)}  only first {only_first}  "
              f"only second {only_second}")
        if k is not None:
            defined += 1
            if KAPPA_BAND[0] <= k <= KAPPA_BAND[1]:
                in_band += 1
            if k < KAPPA_BAND[0]:
                problem(f"kappa for {code} is {k:.3f}, below {KAPPA_BAND[0]}")
    print(f"  kappa between {KAPPA_BAND[0]} and {KAPPA_BAND[1]} for {in_band} of {defined} codes")
    if not 0.15 <= differing / max(len(units), 1) <= 0.25:
        problem("the coders should differ on 15-25% of passages")
    if in_band * 2 <= defined:
        problem("kappa should fall between 0.4 and 0.9 for most codes")

    # ----------------------------------------------------------------------- summaries
    print("\nSummaries")
    summaries = Counter()
    seen = set()
    for s in data.get("summary", []):
        pid, sub = s.get("interview"), s.get("sub-theme")
        where = f"summary {pid}/{sub}"
        if set(s) != {"interview", "sub-theme", "text"}:
            problem(f"{where}: keys must be interview, sub-theme and text")
        if pid not in interviews:
            problem(f"{where}: no such interview")
        if sub not in sub_rqs:
            problem(f"{where}: not a sub-theme of the framework")
        elif sub not in first_codes.get(pid, set()):
            problem(f"{where}: the interview has no passage coded {sub}")
        if (pid, sub) in seen:
            problem(f"{where}: twice")
        seen.add((pid, sub))
        text = s.get("text", "")
        sentences = len(re.findall(r"[.!?](\s|$)", text))
        if not 1 <= sentences <= 3:
            problem(f"{where}: {sentences} sentences (1-3 expected)")
        for term in all_redact:
            if whole_word(term, text):
                problem(f"{where}: names {term!r}")
        if re.search(r"\b(I|my|me)\b", text):
            problem(f"{where}: not in the third person")
        summaries[pid] += 1
    for pid in interviews:
        print(f"  {pid}: {summaries[pid]}")
        if not SUMMARIES[0] <= summaries[pid] <= SUMMARIES[1]:
            problem(f"{pid}: {summaries[pid]} summaries, outside {SUMMARIES}")
    print(f"  total: {sum(summaries.values())}")

    # ----------------------------------------------------------------------- documents
    print("\nDocuments")
    per_site = Counter()
    for d in data.get("document", []):
        where = f"document {d.get('site')}/{d.get('title')}"
        if not {"site", "kind", "title", "dated", "ratings"} <= set(d) or \
                set(d) - {"site", "kind", "title", "dated", "ratings", "note"}:
            problem(f"{where}: keys must be site, kind, title, dated, ratings and note")
        if d.get("site") not in SITES.values():
            problem(f"{where}: unknown site")
        if d.get("kind") not in kinds:
            problem(f"{where}: kind {d.get('kind')!r} is not a framework document kind")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(d.get("dated"))):
            problem(f"{where}: dated must be YYYY-MM-DD")
        ratings = d.get("ratings", {})
        if set(ratings) != set(criteria):
            problem(f"{where}: ratings must give exactly {sorted(criteria)}")
        for key, value in ratings.items():
            if key in criteria and value not in criteria[key]:
                problem(f"{where}: {key} = {value!r} is not one of {criteria[key]}")
        per_site[d.get("site")] += 1
    for site in sorted(SITES.values()):
        print(f"  {site}: {per_site[site]}")
        if not DOCUMENTS[0] <= per_site[site] <= DOCUMENTS[1]:
            problem(f"{site}: {per_site[site]} documents, outside {DOCUMENTS}")

    print()
    if problems:
        print(f"FAILED: {len(problems)} problem(s)")
        for p in problems:
            print(f"  - {p}")
        return 1
    print("OK: the case-study set is consistent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
