//! The SPSS file reproduces the report: the demonstration data exported to .sav and
//! filtered to `kept` give `analyse`'s counts, Valid % and tests of association.
//!
//! The first test reads the file back with ambers and always runs. The second runs GNU
//! PSPP on it (`FILTER BY kept.`, then FREQUENCIES of every variable of the plan's
//! frequency and matrix tables and CROSSTABS with chi-square on associations of the plan),
//! under both settings of the plan's `valid-percent-base`; like the other PSPP tests it is
//! skipped unless `SKAFADA_TEST_EXTERNAL` is set, and then a missing PSPP fails it.

use std::collections::HashMap;
use std::path::Path;

use arrow::array::{Array, Float64Array};
use skafada_analysis::data::{Dataset, ExportFiles, Responses};
use skafada_analysis::plan::{Data, Plan, TableShape};
use skafada_analysis::records::Outcomes;
use skafada_analysis::run::{Analysis, AssociationResult, Cell, TableResult, TestResult};
use skafada_analysis::{analyse, clean::Reason};
use skafada_export::Codebook;
use skafada_instrument::ItemKind;

use crate::external::{external, pspp, temp_dir};
use crate::{PLAN, POST, PRE, options, post_instrument, pre_instrument};

/// The SKAFADA plan with `valid-percent-base` set, or as it is.
fn plan_with(base: Option<&str>) -> Plan {
    assert!(PLAN.contains("valid-percent-base = \"all-answers\""));
    let text = match base {
        Some(base) => PLAN.replacen(
            "valid-percent-base = \"all-answers\"",
            &format!("valid-percent-base = \"{base}\""),
            1,
        ),
        None => PLAN.to_owned(),
    };
    Plan::parse(&text, "plans/skafada.toml").unwrap()
}

/// The demonstration study as `skafada analyse --data` reads it (450 raw pre-training
/// records, 100 of them excluded), its analysis and the export's outcomes.
struct Study {
    dataset: Dataset,
    analysis: Analysis,
    outcomes: Outcomes,
    book: Codebook,
    sav: Vec<u8>,
}

fn study(plan: &Plan) -> Study {
    let (pre, post) = (pre_instrument(), post_instrument());
    let demo = skafada_demo::generate(&pre, &post, skafada_demo::DEFAULT_SEED).unwrap();
    let files = demo.files(&pre, &post).unwrap();
    let dataset = Dataset::from_files(&ExportFiles {
        manifest: files.manifest,
        sites: files.sites,
        pre_instrument: PRE.to_owned(),
        post_instrument: Some(POST.to_owned()),
        pre: files.pre,
        post: Some(files.post),
        follow_up: Vec::new(),
        arms: None,
    })
    .unwrap();
    let analysis = analyse(plan, &dataset).unwrap();
    let outcomes = skafada_analysis::records::outcomes(
        plan,
        Data::Pre,
        &dataset.sites,
        &dataset.pre_instrument,
        &dataset.pre,
    );
    let book = Codebook::new(&dataset.pre_instrument, &outcomes);
    let sav = skafada_export::to_sav(
        &dataset.pre_instrument,
        &dataset.pre,
        &dataset.sites,
        &outcomes,
        &options(),
    )
    .unwrap();
    Study {
        dataset,
        analysis,
        outcomes,
        book,
        sav,
    }
}

fn table<'a>(analysis: &'a Analysis, id: &str) -> &'a TableResult {
    analysis.tables.iter().find(|t| t.id == id).unwrap()
}

fn spss_name<'a>(book: &'a Codebook, column: &str) -> &'a str {
    &book
        .entry(column)
        .unwrap_or_else(|| panic!("no column {column} in the export"))
        .spss_name
}

#[test]
fn the_sav_file_carries_the_reports_cleaning_and_derived_variables() {
    let study = study(&plan_with(None));
    let log = &study.analysis.cleaning.pre;
    assert_eq!((log.records, log.kept), (450, 350));
    let (batch, meta) = ambers::read_sav_from_reader(std::io::Cursor::new(&study.sav)).unwrap();
    assert_eq!(batch.num_rows(), 450, "every record, kept or not");
    let column = |name: &str| -> Vec<Option<f64>> {
        let array = batch.column_by_name(name).unwrap();
        let values = array.as_any().downcast_ref::<Float64Array>().unwrap();
        (0..values.len())
            .map(|i| values.is_valid(i).then(|| values.value(i)))
            .collect()
    };
    let kept = column("kept");
    assert_eq!(
        kept.iter().filter(|k| **k == Some(1.0)).count(),
        log.kept,
        "kept = 1 for the records the report counts"
    );
    assert_eq!(kept.iter().filter(|k| **k == Some(0.0)).count(), 100);
    let exclusion = column("exclusion");
    for excluded in &log.excluded {
        let code = f64::from(excluded.reason.code());
        assert_eq!(
            exclusion.iter().filter(|e| **e == Some(code)).count(),
            excluded.count,
            "{:?}",
            excluded.reason
        );
        let labels = meta.value_labels("exclusion").unwrap();
        assert_eq!(
            labels.get(&ambers::Value::Numeric(code)),
            Some(&excluded.description)
        );
    }
    assert!(
        log.excluded.iter().all(|e| e.count > 0),
        "every reason occurs"
    );
    // The study's four reasons all occur in the demo data; the others (repeated ids,
    // routing-inconsistent records) are listed only when they exclude a record.
    for reason in [
        Reason::Returning,
        Reason::Empty,
        Reason::Ended,
        Reason::BelowMinimum,
    ] {
        assert!(
            log.excluded.iter().any(|e| e.reason == reason),
            "{reason:?}"
        );
    }
    let labels = meta.value_labels("kept").unwrap();
    assert_eq!(
        labels.get(&ambers::Value::Numeric(1.0)).map(String::as_str),
        Some("Kept")
    );

    // Table 7 counts the derived tenure bands of the kept records.
    let tenure = column(spss_name(&study.book, "tenure"));
    let table_7 = table(&study.analysis, "table-7");
    let entry = study.book.entry("tenure").unwrap();
    assert_eq!(
        meta.label(&entry.spss_name),
        Some("Time with current employer")
    );
    for value in &entry.values {
        let n = tenure
            .iter()
            .zip(&kept)
            .filter(|(t, k)| **k == Some(1.0) && **t == Some(f64::from(value.code)))
            .count() as u64;
        let printed = table_7.rows.iter().find_map(|row| match row.as_slice() {
            [Cell::Text(l), Cell::Count(n), _] if *l == value.label => Some(*n),
            _ => None,
        });
        assert_eq!(printed, Some(n), "{}", value.label);
    }
    // The collapsed scales, one per statement, labelled.
    let collapsed = study.book.entry("agree3:confidence-documenting").unwrap();
    assert_eq!(collapsed.spss_name, "agree3_confidence_documenting");
    assert_eq!(collapsed.values.len(), 3);
    assert!(meta.mr_sets.contains_key("training_topic"));

    // The CSV export reads back for `analyse`, which cleans and derives again.
    let csv = skafada_export::to_csv(
        &study.dataset.pre_instrument,
        &study.dataset.pre,
        &study.dataset.sites,
        &study.outcomes,
    )
    .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.contains(",kept,exclusion,gender-group,"), "{header}");
    let back = Responses::from_csv(
        &csv,
        "pre.csv",
        &study.dataset.pre_instrument,
        &study.dataset.sites,
    )
    .unwrap();
    assert_eq!(back, study.dataset.pre);
}

/// The tables of PSPP's CSV output, each as its title and its rows of cells.
fn tables(output: &str) -> Vec<(String, Vec<Vec<String>>)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(output.as_bytes());
    let mut found: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        match cells.first().and_then(|c| c.strip_prefix("Table: ")) {
            Some(title) if cells.len() == 1 => found.push((title.to_owned(), Vec::new())),
            _ => {
                if let Some((_, rows)) = found.last_mut() {
                    rows.push(cells);
                }
            }
        }
    }
    found
}

/// A count or percentage as PSPP prints it (`12.4%`, `.3%`).
fn number(cell: &str) -> f64 {
    cell.trim_end_matches('%')
        .parse()
        .unwrap_or_else(|_| panic!("`{cell}` is not a number"))
}

/// One row of a PSPP frequency table: (count, Valid %), by value label.
type Frequencies = HashMap<String, (u64, f64)>;

fn frequencies(rows: &[Vec<String>]) -> Frequencies {
    let mut valid = false;
    let mut out = HashMap::new();
    for row in rows {
        match row.first().map(String::as_str) {
            Some("Valid") => valid = true,
            Some("") => {}
            _ => valid = false,
        }
        if valid && row.len() >= 5 {
            out.insert(row[1].clone(), (number(&row[2]) as u64, number(&row[4])));
        }
    }
    out
}

/// What the report prints and what PSPP prints agree: the same count, and the same
/// percentage to the report's precision (either rounding of an exact tie).
fn agree(what: &str, report: (u64, f64), pspp: Option<(u64, f64)>, base: u64, decimals: u32) {
    let (count, percent) = pspp.unwrap_or((0, 0.0));
    assert_eq!(
        count, report.0,
        "{what}: PSPP counts {count}, the report {}",
        report.0
    );
    let scale = 10f64.powi(decimals as i32);
    let pspp_rounded = (percent * scale).round() / scale;
    if (pspp_rounded - report.1).abs() < 1e-9 {
        return;
    }
    // 100 * count / base lies exactly half-way between two printed values.
    let tie = base > 0 && (200 * count * scale as u64).is_multiple_of(base) && {
        let halves = 200 * count * scale as u64 / base;
        halves % 2 == 1
    };
    assert!(
        tie && (pspp_rounded - report.1).abs() < 1.0 / scale + 1e-9,
        "{what}: PSPP Valid % {percent}, the report {}",
        report.1
    );
}

/// Every check of one frequency or matrix table's row against PSPP: (what, variable,
/// label, report's count or `None` for a percentage-only figure, report's %, decimals).
struct Expected {
    what: String,
    variable: String,
    label: String,
    count: Option<u64>,
    percent: f64,
    decimals: u32,
}

/// The rows of the report's frequency, side-by-side and matrix tables of the pre-training
/// survey, each with the variable it counts.
fn expected(plan: &Plan, study: &Study) -> Vec<Expected> {
    let instrument = &study.dataset.pre_instrument;
    let mut out = Vec::new();
    for spec in plan.table.iter().filter(|t| t.data == Data::Pre) {
        let result = table(&study.analysis, &spec.id);
        let d = spec.decimals;
        match &spec.shape {
            TableShape::Frequencies {
                sections,
                total_row,
                ..
            } => {
                let headed = sections.iter().all(|s| s.heading.is_some());
                assert!(headed || sections.len() == 1, "{}", spec.id);
                let mut section = if headed { None } else { Some(0) };
                for row in &result.rows {
                    match row.as_slice() {
                        [Cell::Text(_)] => section = Some(section.map_or(0, |s| s + 1)),
                        [Cell::Text(label), Cell::Count(n), Cell::Number(p)] => {
                            if total_row.as_deref() == Some(label.as_str())
                                && std::ptr::eq(row, result.rows.last().unwrap())
                            {
                                continue;
                            }
                            let s = &sections[section.unwrap()];
                            out.push(Expected {
                                what: format!("{} {}", spec.id, s.variable),
                                variable: s.variable.clone(),
                                label: label.clone(),
                                count: Some(*n),
                                percent: *p,
                                decimals: d,
                            });
                        }
                        other => panic!("{}: {other:?}", spec.id),
                    }
                }
            }
            TableShape::SideBySide { groups, total_row } => {
                for row in &result.rows {
                    let Some(Cell::Text(label)) = row.first() else {
                        panic!("{}", spec.id)
                    };
                    if total_row.as_deref() == Some(label.as_str()) {
                        continue;
                    }
                    for (g, group) in groups.iter().enumerate() {
                        let (Some(Cell::Count(n)), Some(Cell::Number(p))) =
                            (row.get(1 + 2 * g), row.get(2 + 2 * g))
                        else {
                            panic!("{}", spec.id)
                        };
                        out.push(Expected {
                            what: format!("{} {}", spec.id, group.variable),
                            variable: group.variable.clone(),
                            label: label.clone(),
                            count: Some(*n),
                            percent: *p,
                            decimals: d,
                        });
                    }
                }
            }
            TableShape::Matrix {
                item,
                derived,
                percent_only,
            } => {
                let Some(ItemKind::Matrix { rows, .. }) = instrument.item(item).map(|i| &i.kind)
                else {
                    panic!("{item} is a matrix")
                };
                // Columns: the label, then per scale point "L Number" (unless percentages
                // only) and "L %", then the total.
                let step = if *percent_only { 1 } else { 2 };
                let labels: Vec<&str> = result
                    .columns
                    .iter()
                    .filter_map(|c| c.strip_suffix(" %"))
                    .collect();
                for (statement, row) in rows.iter().zip(&result.rows) {
                    let variable = match derived {
                        Some(prefix) => format!("{prefix}:{}", statement.id),
                        None => statement.id.clone(),
                    };
                    for (i, label) in labels.iter().enumerate() {
                        let count = (!percent_only).then(|| match row.get(1 + step * i) {
                            Some(Cell::Count(n)) => *n,
                            other => panic!("{}: {other:?}", spec.id),
                        });
                        let Some(Cell::Number(p)) = row.get(step * (i + 1)) else {
                            panic!("{}", spec.id)
                        };
                        out.push(Expected {
                            what: format!("{} {variable}", spec.id),
                            variable: variable.clone(),
                            label: (*label).to_owned(),
                            count,
                            percent: *p,
                            decimals: d,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The associations checked: a collapsed scale by training, a collapsed scale by a band,
/// a true/false statement by a question whose "prefer not to say" the report's frequency
/// table keeps (so its code must be declared before CROSSTABS under the default base), a
/// collapsed enquiry scale by a recode, and a Yes/No/Unsure statement by a recode.
const ASSOCIATIONS: [(&str, &str); 5] = [
    ("by-training", "agree3:confidence-documenting"),
    ("by-tenure", "know3:"),
    ("by-personal-experience", "attitude-"),
    ("by-area-of-work", "ask3:"),
    ("by-qualification", "resources-"),
];

fn association<'a>(analysis: &'a Analysis, family: &str, outcome: &str) -> &'a AssociationResult {
    analysis
        .tests
        .iter()
        .find_map(|t| match t {
            TestResult::Association(a) if a.family == family && a.outcome.starts_with(outcome) => {
                Some(a.as_ref())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no {family} test of {outcome}*"))
}

/// Runs PSPP on the kept records of the study's file and compares with the report.
fn pspp_reproduces(plan: &Plan, study: &Study, dir: &Path) {
    let sav = dir.join("pre.sav");
    std::fs::write(&sav, &study.sav).unwrap();
    let book = &study.book;

    // The cleaning log, before the filter.
    let mut syntax = format!(
        "GET FILE=\"{}\".\nFREQUENCIES /VARIABLES=exclusion /STATISTICS=NONE.\nFILTER BY kept.\n",
        sav.display()
    );
    let expected = expected(plan, study);
    let mut variables: Vec<&str> = Vec::new();
    for e in &expected {
        if !variables.contains(&e.variable.as_str()) {
            variables.push(&e.variable);
        }
    }
    assert!(variables.len() > 60, "{variables:?}");
    for variable in &variables {
        syntax.push_str(&format!(
            "FREQUENCIES /VARIABLES={} /STATISTICS=NONE.\n",
            spss_name(book, variable)
        ));
    }
    let output = pspp(&syntax, dir);
    let found = tables(&output);
    assert_eq!(found.len(), variables.len() + 1, "{output}");

    let log = frequencies(&found[0].1);
    let cleaning = &study.analysis.cleaning.pre;
    assert_eq!(log["kept (not excluded)"].0, cleaning.kept as u64);
    for excluded in &cleaning.excluded {
        assert_eq!(
            log.get(&excluded.description).map(|c| c.0).unwrap_or(0),
            excluded.count as u64,
            "{}",
            excluded.description
        );
    }

    let by_variable: HashMap<&str, Frequencies> = variables
        .iter()
        .zip(&found[1..])
        .map(|(variable, (title, rows))| {
            let entry = book.entry(variable).unwrap();
            assert_eq!(title, &entry.text, "{variable}");
            (*variable, frequencies(rows))
        })
        .collect();
    let mut checked = 0;
    for e in &expected {
        let pspp = &by_variable[e.variable.as_str()];
        let base: u64 = pspp.values().map(|(n, _)| n).sum();
        let found = pspp.get(&e.label).copied();
        let count = e.count.unwrap_or_else(|| found.map_or(0, |f| f.0));
        agree(
            &format!("{} `{}`", e.what, e.label),
            (count, e.percent),
            found,
            base,
            e.decimals,
        );
        checked += 1;
    }
    assert!(checked > 300, "{checked} rows checked");

    // Tests of association.
    let mut statistics = Vec::new();
    for (family, outcome) in ASSOCIATIONS {
        let result = association(&study.analysis, family, outcome);
        let (rows, columns) = (
            spss_name(book, &result.by),
            spss_name(book, &result.outcome),
        );
        // The report's tests leave "prefer not to say" and "not applicable" out; where the
        // file keeps them valid (a variable of a frequency table), declare them first.
        let mut declare = String::new();
        for (variable, name) in [(&result.by, rows), (&result.outcome, columns)] {
            let entry = book.entry(variable).unwrap();
            let missing: Vec<String> = entry
                .values
                .iter()
                .filter(|v| v.missing.is_some())
                .map(|v| v.code.to_string())
                .collect();
            if !missing.is_empty() && entry.user_missing.is_empty() {
                declare.push_str(&format!("MISSING VALUES {name} ({}).\n", missing.join(" ")));
            }
        }
        if family == "by-personal-experience" {
            assert_eq!(
                declare.is_empty(),
                plan.valid_percent_base == skafada_analysis::plan::ValidPercentBase::Substantive,
                "Table 14 keeps its prefer not to say valid only under the default base"
            );
        }
        let output = pspp(
            &format!(
                "GET FILE=\"{}\".\nFILTER BY kept.\n{declare}SET FORMAT=F24.15.\nCROSSTABS /TABLES={rows} BY {columns} /STATISTICS=CHISQ.\n",
                sav.display()
            ),
            dir,
        );
        let found = tables(&output);
        let what = format!("{family}: {} by {}", result.by, result.outcome);
        let counts = &found
            .iter()
            .find(|(title, _)| title.contains(" × "))
            .unwrap_or_else(|| panic!("{what}: no table\n{output}"))
            .1;
        // The header row of outcome labels, then one "Count" row per group.
        let header = counts
            .iter()
            .find(|r| r.iter().any(|c| result.col_levels.contains(c)))
            .unwrap_or_else(|| panic!("{what}: no column labels\n{output}"));
        for (r, level) in result.row_levels.iter().enumerate() {
            let row = counts
                .iter()
                .find(|row| {
                    row.get(1) == Some(level) && row.get(2).map(String::as_str) == Some("Count")
                })
                .unwrap_or_else(|| panic!("{what}: no row {level}\n{output}"));
            for (c, column) in result.col_levels.iter().enumerate() {
                let at = header.iter().position(|h| h == column).unwrap();
                assert_eq!(
                    number(&row[at]) as u64,
                    result.counts[r][c],
                    "{what}: {level} / {column}"
                );
            }
        }
        let chi = &found
            .iter()
            .find(|(title, _)| title == "Chi-Square Tests")
            .unwrap_or_else(|| panic!("{what}: no chi-square\n{output}"))
            .1;
        let line = |label: &str| {
            chi.iter()
                .find(|r| r.first().map(String::as_str) == Some(label))
                .unwrap_or_else(|| panic!("{what}: no {label}\n{output}"))
                .clone()
        };
        let pearson = line("Pearson Chi-Square");
        let statistic = number(&pearson[1]);
        let df = number(&pearson[2]) as u64;
        let printed_p = number(&pearson[3]);
        let n = number(&line("N of Valid Cases")[1]) as u64;
        assert_eq!(n, result.n, "{what}: valid cases");
        assert_eq!(df, result.df, "{what}: df");
        assert!(
            (statistic - result.chi2).abs() < 1e-6,
            "{what}: PSPP chi-square {statistic}, analyse {}",
            result.chi2
        );
        assert!(
            (printed_p - result.p).abs() <= 0.0005 + 1e-12,
            "{what}: PSPP p {printed_p}, analyse {}",
            result.p
        );
        statistics.push((what, statistic, df, result.p));
    }
    // PSPP prints p to three decimals: its own chi-square tail at full precision.
    let data: String = statistics
        .iter()
        .map(|(_, x, df, _)| format!("{x:.15} {df}\n"))
        .collect();
    let output = pspp(
        &format!(
            "DATA LIST LIST /x df.\nBEGIN DATA\n{data}END DATA.\nCOMPUTE p = SIG.CHISQ(x, df).\nFORMATS p (F24.16).\nLIST p.\n"
        ),
        dir,
    );
    let p_values: Vec<f64> = output
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    assert_eq!(p_values.len(), statistics.len(), "{output}");
    for ((what, _, _, p), pspp_p) in statistics.iter().zip(p_values) {
        assert!(
            (pspp_p - p).abs() < 1e-6,
            "{what}: PSPP p {pspp_p}, analyse {p}"
        );
    }
}

#[test]
fn pspp_on_the_kept_records_of_the_sav_file_gives_the_reports_valid_percent_and_tests() {
    if !external() {
        return;
    }
    for (base, dir) in [
        (None, "report-default"),
        (Some("substantive"), "report-substantive"),
    ] {
        let plan = plan_with(base);
        let study = study(&plan);
        pspp_reproduces(&plan, &study, &temp_dir(dir));
    }
}
