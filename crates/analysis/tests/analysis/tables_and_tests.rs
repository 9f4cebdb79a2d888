//! Tables and tests of association built from responses.

use skafada_analysis::analyse;
use skafada_analysis::run::{Cell, TableResult, TestResult};

use super::{Respondent, association, dataset, plan, pre_instrument, trained_by_documenting};

fn table<'a>(tables: &'a [TableResult], id: &str) -> &'a TableResult {
    tables
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

fn numbers(row: &[Cell]) -> Vec<f64> {
    row.iter()
        .filter_map(|c| match c {
            Cell::Count(n) => Some(*n as f64),
            Cell::Number(x) => Some(*x),
            Cell::Text(_) | Cell::NoAnswers => None,
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-300)
}

#[test]
fn frequency_tables_give_number_and_valid_percent_with_prefer_not_to_say_in_the_base() {
    let instrument = pre_instrument();
    let mut respondents = Vec::new();
    for (i, code) in [1, 1, 1, 1, 1, 1, 2, 2, 2, 9].into_iter().enumerate() {
        respondents
            .push(Respondent::complete(&format!("r{i}"), &instrument).set("disability", code));
    }
    respondents.push(Respondent::complete("skipped", &instrument).clear("disability"));
    let analysis = analyse(&plan(), &dataset(&respondents, &[])).unwrap();
    let t = table(&analysis.tables, "table-6");
    assert_eq!(t.columns, ["", "Number", "Valid %"]);
    let rows: Vec<Vec<f64>> = t.rows.iter().map(|r| numbers(r)).collect();
    assert_eq!(
        rows,
        vec![
            vec![6.0, 60.0],
            vec![3.0, 30.0],
            vec![1.0, 10.0],
            vec![10.0, 100.0]
        ]
    );
    assert_eq!(t.rows[3][0], Cell::Text("Total valid responses".into()));
}

#[test]
fn a_multi_response_table_divides_by_all_mentions_and_by_respondents_who_named_one() {
    let instrument = pre_instrument();
    let named =
        |id: &str, text: &str| Respondent::complete(id, &instrument).text("training-names", text);
    let respondents = [
        named("a", "Freedom Programme"),
        named("b", "DASH and MARAC"),
        named("c", "I can't remember"),
        Respondent::complete("d", &instrument).clear("training-names"),
    ];
    let analysis = analyse(&plan(), &dataset(&respondents, &[])).unwrap();
    let t = table(&analysis.tables, "table-16");
    let freedom = t
        .rows
        .iter()
        .find(|r| r[0] == Cell::Text("Freedom Programme".into()))
        .unwrap();
    assert_eq!(numbers(freedom), vec![1.0, 25.0, 33.3]);
    let last_label = t.rows[t.rows.len() - 2][0].clone();
    assert_eq!(
        last_label,
        Cell::Text("Can't remember".into()),
        "Can't remember is listed last"
    );
    assert_eq!(numbers(t.rows.last().unwrap()), vec![4.0, 100.0, 133.0]);
}

#[test]
fn a_test_of_association_matches_the_reference_chi_square_and_fisher_values() {
    // Trained by confidence in documenting: [[12, 5], [9, 14]] (reference values from scipy and R).
    let respondents = trained_by_documenting(&[(1, 1, 12), (1, 4, 5), (2, 1, 9), (2, 4, 14)]);
    let analysis = analyse(&plan(), &dataset(&respondents, &[])).unwrap();
    let test = association(&analysis, "by-training", "agree3:confidence-documenting");
    assert_eq!(test.counts, vec![vec![12, 5], vec![9, 14]]);
    assert_eq!(test.n, 40);
    assert!(close(test.chi2, 3.8790069803665155), "{}", test.chi2);
    assert!(close(test.p, 0.04889346791620927), "{}", test.p);
    assert!(close(test.g2, 3.9655314462863664), "{}", test.g2);
    assert!(close(test.fisher_p.unwrap(), 0.062355169407449715));
    assert!(close(test.cramers_v, 0.311408372573961));
    let [lower, upper] = test.cramers_v_ci.expect("an interval for V");
    // The two-sided 95% interval has a positive lower bound only when p < .025.
    assert!(
        lower == 0.0 && test.cramers_v < upper && upper < 1.0,
        "{lower} {upper}"
    );
    assert_eq!(test.row_levels, ["Yes", "No"]);
    assert_eq!(test.row_percentages[0], vec![70.6, 29.4]);
    assert!(test.p_adjusted >= test.p);
    assert!(!test.significant, "p = .049 is not significant at .01");
}

#[test]
fn outcomes_with_a_single_answer_are_not_tested() {
    let instrument = pre_instrument();
    let respondents: Vec<_> = (0..6)
        .map(|i| Respondent::complete(&format!("r{i}"), &instrument).set("trained", 1 + i % 2))
        .collect();
    let analysis = analyse(&plan(), &dataset(&respondents, &[])).unwrap();
    assert!(
        analysis
            .tests
            .iter()
            .all(|t| !matches!(t, TestResult::Association(_))),
        "everyone gave the same answers"
    );
}

#[test]
fn p_values_are_adjusted_within_each_family_by_holm() {
    let instrument = pre_instrument();
    let mut respondents = Vec::new();
    for i in 0..60 {
        let trained = 1 + (i % 2);
        // Two outcomes associated with training, of different strengths.
        let strong = if trained == 1 { 4 } else { 1 };
        let weak = if (i % 5 == 0) ^ (trained == 1) { 4 } else { 1 };
        respondents.push(
            Respondent::complete(&format!("r{i}"), &instrument)
                .set("trained", trained)
                .set("confidence-documenting", strong)
                .set("confidence-coercive-control", weak),
        );
    }
    let analysis = analyse(&plan(), &dataset(&respondents, &[])).unwrap();
    let family: Vec<_> = analysis
        .tests
        .iter()
        .filter_map(|t| match t {
            TestResult::Association(a) if a.family == "by-training" => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(family.len(), 2);
    let raw: Vec<f64> = family.iter().map(|a| a.p).collect();
    let expected = skafada_stats::adjust_p_values(&raw, skafada_stats::AdjustMethod::Holm).unwrap();
    for (a, e) in family.iter().zip(expected) {
        assert!(close(a.p_adjusted, e));
        assert_eq!(a.adjustment, "holm");
    }
}
