//! Short findings sentences written from the numbers of an analysis.
//!
//! Every number in a sentence is read from the `Analysis` (a table cell, a count or a test
//! result); nothing is hard-coded. Percentages of a single group keep one decimal, as the
//! study's text does ("85.1% had received training"); comparisons between groups are
//! rounded to whole percentages ("22% vs 5%").

use skafada_analysis::clean::CleaningLog;
use skafada_analysis::render::{fisher_mark, format_p};
use skafada_analysis::run::{
    Analysis, AssociationResult, Cell, PrePostResult, TableResult, TestResult,
};

fn number(cell: Option<&Cell>) -> Option<f64> {
    match cell? {
        Cell::Number(x) => Some(*x),
        Cell::Count(n) => Some(*n as f64),
        Cell::Text(_) | Cell::NoAnswers => None,
    }
}

fn label(row: &[Cell]) -> Option<&str> {
    match row.first()? {
        Cell::Text(text) => Some(text.as_str()),
        _ => None,
    }
}

/// "p < .001" or "p = .007".
pub fn p_phrase(name: &str, p: f64) -> String {
    let text = format_p(p);
    if text.starts_with('<') {
        format!("{name} {text}")
    } else {
        format!("{name} = {text}")
    }
}

fn one_decimal(x: f64) -> String {
    format!("{x:.1}%")
}

fn whole(x: f64) -> String {
    format!("{x:.0}%")
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "1 record" or "12 records".
fn counted<T: PartialEq + From<u8> + std::fmt::Display>(n: T, one: &str, many: &str) -> String {
    if n == T::from(1) {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Sentences on the sample and the cleaning of both surveys.
pub fn sample(analysis: &Analysis) -> Vec<String> {
    let mut out = Vec::new();
    let describe = |name: &str, log: &CleaningLog| {
        let excluded: usize = log.excluded.iter().map(|e| e.count).sum();
        let reasons: Vec<String> = log
            .excluded
            .iter()
            .filter(|e| e.count > 0)
            .map(|e| format!("{} {}", e.count, e.description))
            .collect();
        let mut sentence = format!(
            "{} to the {name} survey {} analysed, of {} received",
            counted(log.kept, "valid response", "valid responses"),
            if log.kept == 1 { "was" } else { "were" },
            counted(log.records, "record", "records"),
        );
        if excluded > 0 {
            sentence.push_str(&format!(
                "; {excluded} were excluded ({})",
                reasons.join("; ")
            ));
        }
        sentence.push('.');
        sentence
    };
    out.push(describe("pre-training", &analysis.cleaning.pre));
    if let Some(post) = &analysis.cleaning.post {
        out.push(describe("post-training", post));
    }
    let linked = analysis
        .tests
        .iter()
        .filter_map(|t| match t {
            TestResult::PrePost(p) => p.paired.as_ref().map(|p| p.n),
            TestResult::Association(_) => None,
        })
        .max();
    if let Some(linked) = linked.filter(|n| *n > 0) {
        out.push(format!(
            "Up to {} answered both surveys and {} linked, so their answers before and after training are also compared in pairs.",
            counted(linked, "respondent", "respondents"),
            if linked == 1 { "is" } else { "are" }
        ));
    }
    out
}

/// A sentence from a frequency table: the share answering "Yes", or the largest group.
pub fn table(table: &TableResult) -> Vec<String> {
    let mut out = Vec::new();
    let is_frequency =
        table.columns.get(1).is_some_and(|c| c == "Number") && table.columns.len() == 3;
    let is_multi = table
        .columns
        .get(3)
        .is_some_and(|c| c == "% of respondents");
    if is_multi {
        let top = table
            .rows
            .iter()
            .filter(|r| label(r).is_some_and(|l| l != "Total"))
            .filter_map(|r| Some((label(r)?, number(r.get(3))?)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((name, share)) = top {
            out.push(format!(
                "The most often named in “{}” was “{name}” ({} of respondents).",
                table.title,
                one_decimal(share)
            ));
        }
        return out;
    }
    if !is_frequency {
        return out;
    }
    // Tables with section headings (one cell) describe several variables: skip them.
    if table.rows.iter().any(|r| r.len() == 1) {
        return out;
    }
    // Nobody answered: there is no share to state.
    if !table.rows.is_empty()
        && table
            .rows
            .iter()
            .all(|r| r.get(2).is_none_or(|c| *c == Cell::NoAnswers))
    {
        out.push(format!("Nobody answered “{}”.", table.title));
        return out;
    }
    let rows: Vec<(&str, f64)> = table
        .rows
        .iter()
        .filter_map(|r| Some((label(r)?, number(r.get(2))?)))
        .filter(|(l, _)| !l.starts_with("Total"))
        .collect();
    if let Some((_, share)) = rows.iter().find(|(l, _)| *l == "Yes") {
        if table.title.ends_with('?') {
            out.push(format!(
                "{} answered “Yes” to “{}”",
                one_decimal(*share),
                table.title
            ));
            if let Some(last) = out.last_mut() {
                last.push('.');
            }
        } else {
            out.push(format!(
                "{} had {}.",
                one_decimal(*share),
                lower_first(&table.title)
            ));
        }
    } else if let Some((name, share)) = rows.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
        out.push(format!(
            "The largest group for “{}” was “{name}” ({}).",
            lower_first(&table.title),
            one_decimal(*share)
        ));
    }
    out
}

/// Whether a category means "don't know" rather than a point of the scale.
pub(crate) fn is_unsure(label: &str) -> bool {
    let label = label.to_lowercase();
    ["don't know", "don’t know", "unsure", "not sure"]
        .iter()
        .any(|w| label.contains(w))
}

/// Sentences about a figure of a scale (a percent-only matrix table): where the positive
/// end was most and least common, and where uncertainty was highest.
pub fn scale_figure(table: &TableResult) -> Vec<String> {
    let categories: Vec<&str> = table
        .columns
        .iter()
        .skip(1)
        .map(|c| c.trim_end_matches(" %"))
        .collect();
    let rows: Vec<(&str, Vec<f64>)> = table
        .rows
        .iter()
        .filter_map(|r| {
            Some((
                label(r)?,
                r.iter().skip(1).filter_map(|c| number(Some(c))).collect(),
            ))
        })
        // A statement nobody answered has no shares to compare.
        .filter(|(_, values): &(&str, Vec<f64>)| !values.is_empty())
        .collect();
    if rows.is_empty() || categories.len() < 2 {
        return Vec::new();
    }
    let count = categories.len();
    let unsure = categories.last().is_some_and(|c| is_unsure(c));
    // The positive end: the top two points of a five-point scale, else the last point (or
    // the first, when the last is "don't know").
    let (positive, name): (Vec<usize>, String) = if count >= 5 {
        (
            vec![count - 2, count - 1],
            format!("“{}” or “{}”", categories[count - 2], categories[count - 1]),
        )
    } else if unsure {
        (vec![0], format!("“{}”", categories[0]))
    } else {
        (vec![count - 1], format!("“{}”", categories[count - 1]))
    };
    let share = |values: &[f64]| positive.iter().filter_map(|i| values.get(*i)).sum::<f64>();
    let mut out = Vec::new();
    let max = rows
        .iter()
        .max_by(|a, b| share(&a.1).total_cmp(&share(&b.1)));
    let min = rows
        .iter()
        .min_by(|a, b| share(&a.1).total_cmp(&share(&b.1)));
    if let (Some(max), Some(min)) = (max, min) {
        out.push(format!(
            "{name} was most common for “{}” ({}) and least common for “{}” ({}).",
            max.0,
            whole(share(&max.1)),
            min.0,
            whole(share(&min.1))
        ));
    }
    // The other end, or uncertainty.
    let other = if unsure { count - 1 } else { 0 };
    if let Some(row) = rows.iter().max_by(|a, b| {
        let x = a.1.get(other).copied().unwrap_or(0.0);
        let y = b.1.get(other).copied().unwrap_or(0.0);
        x.total_cmp(&y)
    }) {
        out.push(format!(
            "“{}” was highest for “{}” ({}).",
            categories[other],
            row.0,
            whole(row.1.get(other).copied().unwrap_or(0.0))
        ));
    }
    out
}

/// A sentence comparing series of a grouped figure (e.g. actions for parents and for
/// children): how often the first series is ahead, and the largest gap.
pub fn grouped_figure(series: &[String], rows: &[(String, Vec<f64>)]) -> Vec<String> {
    let (Some(first), Some(second)) = (series.first(), series.get(1)) else {
        return Vec::new();
    };
    let gaps: Vec<(&str, f64, f64)> = rows
        .iter()
        .filter_map(|(l, v)| Some((l.as_str(), *v.first()?, *v.get(1)?)))
        .collect();
    let ahead = gaps.iter().filter(|(_, a, b)| a > b).count();
    let Some(largest) = gaps
        .iter()
        .max_by(|a, b| (a.1 - a.2).abs().total_cmp(&(b.1 - b.2).abs()))
    else {
        return Vec::new();
    };
    vec![format!(
        "For {ahead} of {} items the share was higher for {} than for {}; the largest difference was for “{}” ({} vs {}).",
        gaps.len(),
        lower_first(first),
        lower_first(second),
        largest.0,
        whole(largest.1),
        whole(largest.2)
    )]
}

/// The share in the "Yes" group of a two-group family of tests (e.g. "85.1% reported
/// previous domestic abuse training"), from the test with the most valid cases.
pub fn group_share(tests: &[&AssociationResult]) -> Option<String> {
    let test = tests
        .iter()
        .filter(|t| t.row_levels.len() == 2 && t.row_levels.iter().any(|l| l == "Yes"))
        .max_by_key(|t| t.n)?;
    let yes = test.row_levels.iter().position(|l| l == "Yes")?;
    let n: u64 = test.counts.iter().flatten().sum();
    if n == 0 {
        return None;
    }
    let x: u64 = test.counts.get(yes)?.iter().sum();
    Some(format!(
        "{} of the {n} respondents who answered reported {}.",
        one_decimal(100.0 * x as f64 / n as f64),
        test.family_title
    ))
}

/// A sentence for one test of association: who was more likely to give which answer.
pub fn association(test: &AssociationResult) -> String {
    // A sparse table is judged on Fisher's p, so the sentence states that p.
    let stats = match test.fisher_p.filter(|_| test.p_basis == "fisher") {
        Some(fisher) => format!(
            "Fisher's exact {}{}, {}, V = {:.2}",
            p_phrase("p", fisher),
            fisher_mark(test)
                .map(|m| format!(" {m}"))
                .unwrap_or_default(),
            p_phrase("adjusted p", test.p_adjusted),
            test.cramers_v
        ),
        None => format!(
            "{}, {}, V = {:.2}",
            p_phrase("p", test.p),
            p_phrase("adjusted p", test.p_adjusted),
            test.cramers_v
        ),
    };
    let pct = &test.row_percentages;
    let columns = test.col_levels.len();
    if test.row_levels.len() == 2 && pct.len() == 2 {
        let column = (0..columns)
            .max_by(|a, b| {
                let d = |c: usize| {
                    (pct[0].get(c).unwrap_or(&0.0) - pct[1].get(c).unwrap_or(&0.0)).abs()
                };
                d(*a).total_cmp(&d(*b))
            })
            .unwrap_or(0);
        let (a, b) = (
            pct[0].get(column).copied().unwrap_or(0.0),
            pct[1].get(column).copied().unwrap_or(0.0),
        );
        let (high, low, x, y) = if a >= b { (0, 1, a, b) } else { (1, 0, b, a) };
        return format!(
            "Respondents answering “{}” on {} were more likely than those answering “{}” to answer “{}” to “{}” ({} vs {}; {stats}).",
            test.row_levels[high],
            test.family_title,
            test.row_levels[low],
            test.col_levels.get(column).map_or("", String::as_str),
            test.outcome_text,
            whole(x),
            whole(y),
        );
    }
    // Several groups: the column whose share varies most, from its lowest to its highest.
    let range = |c: usize| {
        let values = pct.iter().map(|r| r.get(c).copied().unwrap_or(0.0));
        let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        hi - lo
    };
    let column = (0..columns)
        .max_by(|a, b| range(*a).total_cmp(&range(*b)))
        .unwrap_or(0);
    let by_share = |row: usize| pct[row].get(column).copied().unwrap_or(0.0);
    let lowest = (0..pct.len()).min_by(|a, b| by_share(*a).total_cmp(&by_share(*b)));
    let highest = (0..pct.len()).max_by(|a, b| by_share(*a).total_cmp(&by_share(*b)));
    let (Some(lowest), Some(highest)) = (lowest, highest) else {
        return format!(
            "Answers to “{}” differed by {} ({stats}).",
            test.outcome_text, test.family_title
        );
    };
    format!(
        "Answers to “{}” differed by {}: “{}” ranged from {} ({}) to {} ({}) ({stats}).",
        test.outcome_text,
        test.family_title,
        test.col_levels.get(column).map_or("", String::as_str),
        whole(by_share(lowest)),
        test.row_levels.get(lowest).map_or("", String::as_str),
        whole(by_share(highest)),
        test.row_levels.get(highest).map_or("", String::as_str),
    )
}

/// A family's summary and its strongest significant associations (at most `limit`, by
/// Cramér's V).
pub fn association_family(tests: &[&AssociationResult], limit: usize) -> Vec<String> {
    let Some(first) = tests.first() else {
        return Vec::new();
    };
    let mut significant: Vec<&&AssociationResult> =
        tests.iter().filter(|t| t.significant).collect();
    let mut out = vec![format!(
        "{} of {} tests of association with {} were significant after {} adjustment.",
        significant.len(),
        tests.len(),
        first.family_title,
        adjustment_name(first.adjustment)
    )];
    significant.sort_by(|a, b| b.cramers_v.total_cmp(&a.cramers_v));
    out.extend(significant.iter().take(limit).map(|t| association(t)));
    out
}

/// A readable name of an adjustment method.
pub fn adjustment_name(method: &str) -> String {
    match method {
        "holm" => "Holm".to_owned(),
        "benjamini-hochberg" => "Benjamini-Hochberg".to_owned(),
        "" => "multiple-comparison".to_owned(),
        other => other.to_owned(),
    }
}

/// What a reverse-worded statement says beside its name.
fn reverse_note(test: &PrePostResult) -> &'static str {
    if test.reverse {
        " (worded negatively: the expected change is the other way)"
    } else {
        ""
    }
}

/// A sentence for one statement's change among linked respondents, when it has one.
pub fn prepost_paired(test: &PrePostResult) -> Option<String> {
    let paired = test.paired.as_ref()?;
    let p = paired.mcnemar_p?;
    Some(format!(
        "“{}”{}: among {} linked respondents, {} {} before training and {} after ({} moved in, {} moved out; McNemar {}, {}).",
        test.text,
        reverse_note(test),
        paired.n,
        one_decimal(100.0 * paired.before),
        lower_first(&test.family_title),
        one_decimal(100.0 * paired.after),
        paired.joined,
        paired.left,
        p_phrase("p", p),
        p_phrase("adjusted p", paired.mcnemar_p_adjusted.unwrap_or(p)),
    ))
}

/// A sentence for one pre/post comparison by the published method (unpaired z-test).
pub fn prepost(test: &PrePostResult) -> String {
    let verb = if test.post.p > test.pre.p {
        "rose"
    } else {
        "fell"
    };
    let tails = if test.alternative == "two-sided" {
        "two-sided"
    } else {
        "one-tailed"
    };
    format!(
        "“{}”{}: {} {verb} from {} before training to {} after (unpaired {tails} z = {:.2}, {}, {}).",
        test.text,
        reverse_note(test),
        lower_first(&test.family_title),
        one_decimal(100.0 * test.pre.p),
        one_decimal(100.0 * test.post.p),
        test.z,
        p_phrase("p", test.p),
        p_phrase("adjusted p", test.p_adjusted),
    )
}

/// A family's summary, led by the paired tests where respondents are linked: how many
/// statements changed significantly (and each of them), whether any got worse (two-sided
/// tests), and the published method's unpaired one-tailed z-tests as its replication.
pub fn prepost_family(
    tests: &[&PrePostResult],
    adjustment: &str,
    significance: f64,
) -> Vec<String> {
    let Some(first) = tests.first() else {
        return Vec::new();
    };
    let level = format!("{significance}").trim_start_matches('0').to_owned();
    let paired: Vec<&&PrePostResult> = tests.iter().filter(|t| t.led_by_paired()).collect();
    let mut out = Vec::new();
    if !paired.is_empty() {
        let changed: Vec<&&&PrePostResult> = paired
            .iter()
            .filter(|t| t.paired.as_ref().is_some_and(|p| p.significant))
            .collect();
        out.push(format!(
            "{}: among respondents linked across both surveys, {} of {} statements changed significantly (McNemar's exact test, two-sided, {} adjustment, significance level {level}).",
            first.family_title,
            changed.len(),
            paired.len(),
            adjustment_name(adjustment),
        ));
        out.extend(changed.iter().filter_map(|t| prepost_paired(t)));
    }
    let worse: Vec<&&PrePostResult> = tests.iter().filter(|t| t.worse).collect();
    if tests.iter().any(|t| t.alternative != "two-sided") {
        if worse.is_empty() {
            out.push(format!(
                "No statement moved significantly against the expected direction (two-sided tests, {} adjustment, significance level {level}).",
                adjustment_name(adjustment)
            ));
        } else {
            for t in &worse {
                out.push(format!(
                    "Got worse after training: “{}”{}: {} went from {} to {} (two-sided, significant after adjustment).",
                    t.text,
                    reverse_note(t),
                    lower_first(&t.family_title),
                    one_decimal(100.0 * t.pre.p),
                    one_decimal(100.0 * t.post.p),
                ));
            }
        }
    }
    let significant: Vec<&&PrePostResult> = tests.iter().filter(|t| t.significant).collect();
    let tails = if first.alternative == "two-sided" {
        "two-sided"
    } else {
        "one-tailed in the expected direction"
    };
    out.push(format!(
        "The published method, replicated (unpaired z-tests, {tails}): {} of {} statements changed significantly after {} adjustment.",
        significant.len(),
        tests.len(),
        adjustment_name(adjustment)
    ));
    if paired.is_empty() {
        out.extend(significant.iter().map(|t| prepost(t)));
    }
    out
}

/// The adjustment method the analysis used (read from its tests of association).
pub fn analysis_adjustment(analysis: &Analysis) -> &'static str {
    analysis
        .tests
        .iter()
        .find_map(|t| match t {
            TestResult::Association(a) => Some(a.adjustment),
            TestResult::PrePost(_) => None,
        })
        .unwrap_or("")
}
