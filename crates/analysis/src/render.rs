//! A Markdown rendering of an analysis, for reading in a terminal or converting to HTML.

use std::fmt::Write as _;

use crate::run::{Analysis, AssociationResult, Cell, NO_ANSWERS, TestResult};

macro_rules! put {
    ($out:expr) => {
        writeln!($out).unwrap_or(())
    };
    ($out:expr, $($arg:tt)*) => {
        writeln!($out, $($arg)*).unwrap_or(())
    };
}

/// Escapes characters that Markdown table cells and HTML would misread.
fn cell_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace('\n', " ")
}

/// Formats a p-value as research reports do: three decimals, or "< .001".
pub fn format_p(p: f64) -> String {
    if p < 0.001 {
        "< .001".into()
    } else {
        format!("{p:.3}").trim_start_matches('0').to_owned()
    }
}

/// A whole number with thousands separated by commas: `5,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How Fisher's p was computed, when it is not exact: "(Monte Carlo, 5,000 tables)".
pub fn fisher_mark(test: &AssociationResult) -> Option<String> {
    (test.fisher_method.as_deref() == Some("monte-carlo")).then(|| match test.fisher_samples {
        Some(samples) => format!("(Monte Carlo, {} tables)", thousands(samples)),
        None => "(Monte Carlo)".to_owned(),
    })
}

/// Fisher's p as printed, with its Monte Carlo mark: ".034 (Monte Carlo, 5,000 tables)".
pub fn format_fisher(test: &AssociationResult) -> Option<String> {
    let p = format_p(test.fisher_p?);
    Some(match fisher_mark(test) {
        Some(mark) => format!("{p} {mark}"),
        None => p,
    })
}

/// The note on a sparse test: which p its adjusted p and mark are.
pub fn sparse_note(test: &AssociationResult) -> Option<&'static str> {
    if test.warnings.is_empty() {
        return None;
    }
    Some(if test.p_basis == "fisher" {
        "Sparse: adjusted p and significance from Fisher's p"
    } else {
        "Sparse"
    })
}

fn format_cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => cell_text(text),
        Cell::Count(n) => n.to_string(),
        Cell::Number(x) => format!("{x:.1}"),
        Cell::NoAnswers => NO_ANSWERS.to_owned(),
    }
}

/// Renders the whole analysis as Markdown.
pub fn markdown(analysis: &Analysis) -> String {
    let mut out = String::new();
    put!(out, "# {}\n", cell_text(&analysis.title));
    put!(out, "Study: {}\n", cell_text(&analysis.study));
    for warning in &analysis.warnings {
        put!(out, "> **Note:** {}\n", cell_text(warning));
    }

    put!(out, "## Cleaning\n");
    let logs = [
        ("Pre-training survey", Some(&analysis.cleaning.pre)),
        ("Post-training survey", analysis.cleaning.post.as_ref()),
    ];
    for (name, log) in logs {
        let Some(log) = log else { continue };
        put!(out, "{name}: {} records, {} kept.\n", log.records, log.kept);
        put!(out, "| Excluded because | Records |\n|---|---:|");
        for exclusion in &log.excluded {
            put!(
                out,
                "| {} | {} |",
                cell_text(&exclusion.description),
                exclusion.count
            );
        }
        put!(out);
        for flag in &log.flags {
            put!(out, "- **Flagged:** {}", cell_text(&flag.description));
        }
        if !log.flags.is_empty() {
            put!(out);
        }
    }

    put!(out, "## Tables\n");
    for table in &analysis.tables {
        put!(out, "### {} `{}`\n", cell_text(&table.title), table.id);
        let width = table.columns.len().max(1);
        let header: Vec<String> = table.columns.iter().map(|c| cell_text(c)).collect();
        put!(out, "| {} |", header.join(" | "));
        put!(out, "|{}", "---|".repeat(width));
        for row in &table.rows {
            let mut cells: Vec<String> = row.iter().map(format_cell).collect();
            if cells.len() == 1 {
                cells[0] = format!("**{}**", cells[0]);
            }
            cells.resize(width, String::new());
            put!(out, "| {} |", cells.join(" | "));
        }
        for note in &table.notes {
            put!(out, "\n{}", cell_text(note));
        }
        put!(out);
    }

    let mut family = String::new();
    let associations = analysis.tests.iter().filter_map(|t| match t {
        TestResult::Association(a) => Some(a),
        TestResult::PrePost(_) => None,
    });
    for test in associations {
        if test.family != family {
            family.clone_from(&test.family);
            put!(
                out,
                "\n## Association with {}\n",
                cell_text(&test.family_title)
            );
            put!(
                out,
                "Pearson chi-square; p adjusted by the {} method within this family; V is Cramér's V. Where a table is sparse (Cochran's rule), the adjusted p and the significance mark (*) use Fisher's exact p, as the note recommends.\n",
                test.adjustment
            );
            put!(
                out,
                "| Outcome | n | Chi-square | df | p | Adjusted p | V | Fisher p | Notes |\n|---|---:|---:|---:|---:|---:|---:|---:|---|"
            );
        }
        let fisher = format_fisher(test).unwrap_or_default();
        let mut notes = test
            .warnings
            .iter()
            .map(|w| w.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        if let Some(note) = sparse_note(test)
            && test.p_basis == "fisher"
        {
            notes = format!("{note}: {notes}");
        }
        put!(
            out,
            "| {} `{}` | {} | {:.2} | {} | {} | {}{} | {:.2}{} | {} | {} |",
            cell_text(&test.outcome_text),
            test.outcome,
            test.n,
            test.chi2,
            test.df,
            format_p(test.p),
            format_p(test.p_adjusted),
            if test.significant { " *" } else { "" },
            test.cramers_v,
            test.cramers_v_ci
                .map(|[lo, hi]| format!(" [{lo:.2}, {hi:.2}]"))
                .unwrap_or_default(),
            fisher,
            cell_text(&notes)
        );
    }

    for untested in analysis.untested.iter().filter(|u| u.kind == "association") {
        put!(
            out,
            "\n## Association with {}\n",
            cell_text(&untested.family_title)
        );
        put!(out, "Not tested: {}.", cell_text(&untested.reason));
    }

    family.clear();
    let comparisons = analysis.tests.iter().filter_map(|t| match t {
        TestResult::PrePost(p) => Some(p),
        TestResult::Association(_) => None,
    });
    for test in comparisons {
        if test.family != family {
            family.clone_from(&test.family);
            put!(
                out,
                "\n## Before and after training: {}\n",
                cell_text(&test.family_title)
            );
            put!(
                out,
                "Led by the paired tests on respondents linked across both surveys (McNemar's exact test and the Wilcoxon signed-rank test, two-sided); then the study's published method, replicated: pooled z-tests of the two samples as if independent, one-tailed in the expected direction, with the two-sided p beside it. p adjusted by the {} method within the family; significant (*) at adjusted p <= {}; (negative): worded negatively, the expected change is the other way; (worse): a significant change against the expected direction.\n",
                match analysis.adjustment {
                    "holm" => "Holm",
                    "benjamini-hochberg" => "Benjamini-Hochberg",
                    other => other,
                },
                analysis.significance
            );
            put!(
                out,
                "| Statement | Linked n | Linked before % | Linked after % | McNemar p | McNemar adjusted p | Wilcoxon p | Pre % (n) | Post % (n) | Change [95% CI] | z | p ({}) | Adjusted p | Two-sided adjusted p |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
                if test.alternative == "two-sided" {
                    "two-sided"
                } else {
                    "one-tailed"
                }
            );
        }
        let paired = match &test.paired {
            Some(p) => [
                p.n.to_string(),
                format!("{:.1}", 100.0 * p.before),
                format!("{:.1}", 100.0 * p.after),
                p.mcnemar_p.map(format_p).unwrap_or_default(),
                p.mcnemar_p_adjusted
                    .map(|a| format!("{}{}", format_p(a), if p.significant { " *" } else { "" }))
                    .unwrap_or_default(),
                p.wilcoxon_p.map(format_p).unwrap_or_default(),
            ],
            None => Default::default(),
        };
        put!(
            out,
            "| {}{} | {} | {:.1} ({}) | {:.1} ({}) | {:+.1} [{:+.1}, {:+.1}] | {:.2} | {} | {}{} | {}{} |",
            cell_text(&test.text),
            if test.reverse { " (negative)" } else { "" },
            paired.join(" | "),
            100.0 * test.pre.p,
            test.pre.n,
            100.0 * test.post.p,
            test.post.n,
            100.0 * test.difference,
            100.0 * test.difference_ci[0],
            100.0 * test.difference_ci[1],
            test.z,
            format_p(test.p),
            format_p(test.p_adjusted),
            if test.significant { " *" } else { "" },
            format_p(test.p_two_sided_adjusted),
            if test.worse { " (worse)" } else { "" },
        );
    }

    for untested in analysis.untested.iter().filter(|u| u.kind == "pre-post") {
        put!(
            out,
            "\n## Before and after training: {}\n",
            cell_text(&untested.family_title)
        );
        put!(out, "Not tested: {}.", cell_text(&untested.reason));
    }

    if !analysis.reliability.is_empty() {
        put!(out, "\n## Reliability\n");
        put!(
            out,
            "| Battery | Survey | Statements | n | Cronbach's alpha [95% CI] |\n|---|---|---:|---:|---:|"
        );
        for r in &analysis.reliability {
            put!(
                out,
                "| {} | {} | {} | {} | {:.2} [{:.2}, {:.2}] |",
                cell_text(&r.title),
                r.data,
                r.items,
                r.n,
                r.alpha,
                r.ci[0],
                r.ci[1]
            );
        }
    }
    for wave in &analysis.over_time {
        over_time_markdown(&mut out, wave);
    }
    if !analysis.over_time.is_empty() {
        changes_markdown(&mut out, &analysis.changes, &analysis.retention);
    }
    if let Some(by_arm) = &analysis.by_arm {
        by_arm_markdown(&mut out, by_arm);
    }
    out
}

/// The delivery arms compared: each arm's size, then each statement's comparison.
fn by_arm_markdown(out: &mut String, by_arm: &crate::by_arm::ByArm) {
    use crate::over_time::survey_title;
    put!(out, "## Delivery arms\n");
    put!(
        out,
        "Each arm's share improving: among respondents whose answer in the earlier survey was not the favourable one (not counted where the family expects a rise, counted where it expects a fall) and who answered the later survey, those whose answer there was. Arms are compared first minus second, with Newcombe's 95% interval, the pooled z-test Holm-adjusted across each comparison's statements, and Cohen's h. {} kept respondents had no arm.\n",
        by_arm.without_arm
    );
    put!(out, "| Arm | Respondents |\n|---|---:|");
    for arm in &by_arm.arms {
        put!(out, "| {} | {} |", cell_text(&arm.arm), arm.respondents);
    }
    put!(out);
    if by_arm.comparisons.is_empty() {
        put!(
            out,
            "The plan declares no `[[arm-comparison]]`, so the arms are not compared.\n"
        );
    }
    for comparison in &by_arm.comparisons {
        put!(
            out,
            "### {} (`{}`: {} to {})\n",
            cell_text(&comparison.title),
            cell_text(&comparison.id),
            survey_title(&comparison.from),
            survey_title(&comparison.to)
        );
        if let Some(reason) = &comparison.unavailable {
            put!(out, "Not compared: {}.\n", cell_text(reason));
            continue;
        }
        put!(
            out,
            "| Statement | Counts | Arms | Improved | Difference (points) [95% CI] | p (Holm) | Cohen's h |\n|---|---|---|---:|---:|---:|---:|"
        );
        for s in &comparison.statements {
            let arms = format!("{} vs {}", cell_text(&s.arms[0]), cell_text(&s.arms[1]));
            let Some(c) = &s.comparison else {
                put!(
                    out,
                    "| {} | {} | {} | an arm had nobody who could improve | – | – | – |",
                    cell_text(&s.text),
                    cell_text(&s.family_title),
                    arms
                );
                continue;
            };
            put!(
                out,
                "| {} | {} | {} | {} of {} vs {} of {} | {:+.0} [{:+.0}, {:+.0}] | {} | {:.2} |",
                cell_text(&s.text),
                cell_text(&s.family_title),
                arms,
                c.first.improved,
                c.first.could_improve,
                c.second.improved,
                c.second.could_improve,
                100.0 * c.difference.estimate,
                100.0 * c.difference.lower,
                100.0 * c.difference.upper,
                s.adjusted_p.map_or_else(|| "–".to_owned(), format_p),
                c.cohens_h
            );
        }
        put!(out);
    }
}

/// A percentage with no decimals, or a dash.
fn share(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |x| format!("{:.0}%", 100.0 * x))
}

/// Change over time into one follow-up wave: its bases, then one row per statement.
fn over_time_markdown(out: &mut String, wave: &crate::over_time::OverTime) {
    put!(out, "## Change over time: {}\n", cell_text(&wave.wave));
    put!(
        out,
        "{} follow-up responses were linked to an earlier response and {} were not. {} linked respondents were kept by the cleaning in all three surveys; each statement counts those of them who answered it all three times, so its three shares are of the same people. The plan's declared changes and retention follow.\n",
        wave.linked,
        wave.unlinked,
        wave.linked_kept
    );
    put!(
        out,
        "| Statement | Counts | n | Before | After | Follow-up |\n|---|---|---:|---:|---:|---:|"
    );
    for s in &wave.statements {
        put!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell_text(&s.text),
            cell_text(&s.family_title),
            s.n,
            share(s.shares.map(|x| x[0])),
            share(s.shares.map(|x| x[1])),
            share(s.shares.map(|x| x[2])),
        );
    }
    put!(out);
    put!(
        out,
        "Attrition by site and delivery arm (respondents kept in each survey):\n\n| Site | Arm | Before | After | Follow-up | All three |\n|---|---|---:|---:|---:|---:|"
    );
    for row in &wave.attrition {
        let at = |i: usize| row.responded.get(i).copied().unwrap_or(0);
        put!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell_text(&row.site),
            row.arm.as_deref().map_or_else(|| "–".to_owned(), cell_text),
            at(0),
            at(1),
            at(2),
            row.completers
        );
    }
    put!(out);
    for c in &wave.completers {
        put!(
            out,
            "Completers against the rest on “{}”: {}.\n",
            cell_text(&c.text),
            match (c.chi_square_p, c.cramers_v) {
                (Some(p), Some(v)) =>
                    format!("chi-square p = {}, Cramér's V = {v:.2}", format_p(p)),
                _ => "not testable (everyone completed, or everyone gave one answer)".to_owned(),
            }
        );
    }
}

/// The plan's declared within-person changes and retention, one table each; a
/// declaration the data cannot answer says why.
fn changes_markdown(
    out: &mut String,
    changes: &[crate::over_time::DeclaredChange],
    retention: &[crate::over_time::DeclaredRetention],
) {
    use crate::over_time::survey_title;
    put!(out, "## Declared changes over time\n");
    if changes.is_empty() && retention.is_empty() {
        put!(
            out,
            "The plan declares no `[[change]]` or `[[retention]]`, so no change over time is tested.\n"
        );
        return;
    }
    for c in changes {
        put!(
            out,
            "### {} (`{}`: {} to {})\n",
            cell_text(&c.title),
            cell_text(&c.id),
            survey_title(&c.from),
            survey_title(&c.to)
        );
        if let Some(reason) = &c.unavailable {
            put!(out, "Not computed: {}.\n", cell_text(reason));
            continue;
        }
        put!(
            out,
            "Respondents kept in both surveys who gave a counted answer in both. Within-person change: McNemar's exact test, Holm-adjusted across these statements, with Newcombe's 95% interval for the change in points.\n"
        );
        put!(
            out,
            "| Statement | Counts | n | Earlier | Later | Change (points) [95% CI] | p (Holm) |\n|---|---|---:|---:|---:|---:|---:|"
        );
        for s in &c.statements {
            put!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                cell_text(&s.text),
                cell_text(&s.family_title),
                s.n,
                share(s.shares.map(|x| x[0])),
                share(s.shares.map(|x| x[1])),
                crate::over_time::change_points(&s.change),
                s.adjusted_p.map_or_else(|| "–".to_owned(), format_p)
            );
        }
        put!(out);
    }
    for r in retention {
        put!(
            out,
            "### {} (`{}`: {})\n",
            cell_text(&r.title),
            cell_text(&r.id),
            survey_title(&r.wave)
        );
        if let Some(reason) = &r.unavailable {
            put!(out, "Not computed: {}.\n", cell_text(reason));
            continue;
        }
        put!(
            out,
            "Of the respondents kept in all three surveys whose answer became the favourable one during the training (into the counted answers where the family expects a rise, out of them where it expects a fall), how many still gave it, with Wilson's 95% interval.\n"
        );
        put!(
            out,
            "| Statement | Counts | Retained | % [95% CI] |\n|---|---|---:|---:|"
        );
        for s in &r.statements {
            let (retained, percent) = s.retention.as_ref().map_or_else(
                || ("nobody gained".to_owned(), "–".to_owned()),
                |r| {
                    (
                        format!("{} of {}", r.successes, r.trials),
                        format!(
                            "{:.0} [{:.0}, {:.0}]",
                            100.0 * r.estimate,
                            100.0 * r.lower,
                            100.0 * r.upper
                        ),
                    )
                },
            );
            put!(
                out,
                "| {} | {} | {} | {} |",
                cell_text(&s.text),
                cell_text(&s.family_title),
                retained,
                percent
            );
        }
        put!(out);
    }
}
