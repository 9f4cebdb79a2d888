//! The post-training survey: 72 responses linked to pre-training respondents at the sites
//! of Table 3, reproducing Table 17 and the shifts reported in "Knowledge and attitudes
//! post training".

use skafada_analysis::data::Status;

use crate::pre::{Built, VALID};
use crate::rng::Rng;
use crate::sheet::{Sheet, deal, five_point, rank};
use crate::texts;
use crate::{DemoError, Meta, POST_BY_SITE, survey_date};

/// Post-training responses (Table 3's post-training total).
pub const POST: usize = 72;

/// Knowledge after training: (row suffix, very little/a little, some, quite a bit/a lot).
pub const KNOWLEDGE: [(&str, usize, usize, usize); 18] = [
    ("national-guidance", 8, 52, 12),
    ("local-guidance", 5, 38, 29),
    ("dash", 0, 16, 56),
    ("impact-on-children", 3, 9, 60),
    ("your-role", 3, 11, 58),
    ("signs", 2, 10, 60),
    ("housing", 9, 15, 48),
    ("migrant-barriers", 6, 40, 26),
    ("financial", 6, 16, 50),
    ("questions-to-ask", 3, 33, 36),
    ("say-to-children", 4, 35, 33),
    ("say-to-parents", 4, 35, 33),
    ("non-disclosure", 4, 15, 53),
    ("documenting", 7, 10, 55),
    ("referrals", 2, 30, 40),
    ("responding-sensitively", 4, 10, 58),
    ("parental-conflict", 6, 19, 47),
    ("perpetrators", 4, 39, 29),
];

/// True/false statements after training: (row suffix, true, false, don't know).
pub const ATTITUDES: [(&str, usize, usize, usize); 11] = [
    ("alcohol", 15, 41, 16),
    ("not-document", 5, 61, 6),
    ("survivor-choices", 55, 5, 12),
    ("multiple-needs", 62, 3, 7),
    ("child-witnessing", 70, 0, 2),
    ("minoritised-barriers", 66, 1, 5),
    ("women-abuse-men", 10, 52, 10),
    ("same-sex", 8, 48, 16),
    ("lie-for-housing", 8, 35, 29),
    ("certain-backgrounds", 1, 67, 4),
    ("mental-health-cause", 3, 58, 11),
];

/// Confidence after training: (row suffix, disagree, neither, agree).
pub const CONFIDENCE: [(&str, usize, usize, usize); 11] = [
    ("responsibility", 1, 1, 70),
    ("sufficient-training", 3, 14, 55),
    ("documenting", 4, 4, 64),
    ("identity", 5, 7, 60),
    ("safeguarding-disclosure", 2, 3, 67),
    ("referrals-adults", 3, 6, 63),
    ("referrals-children", 2, 6, 64),
    ("coercive-control", 2, 8, 62),
    ("child-contact", 3, 9, 60),
    ("culture-language", 63, 5, 4),
    ("expert-advice", 4, 8, 60),
];

/// Table 17: (row, poor, average, good, excellent).
pub const EVALUATION: [(&str, usize, usize, usize, usize); 5] = [
    ("evaluation-activities", 0, 7, 39, 22),
    ("evaluation-trainers-approach", 1, 11, 42, 13),
    ("evaluation-material", 0, 7, 42, 19),
    ("evaluation-groups-and-cultures", 0, 4, 47, 17),
    ("evaluation-relevance", 0, 1, 47, 20),
];

/// How loosely a post-training answer follows the same person's pre-training answer (the
/// spread of the noise added to their 1-5 answer before ranking).
const PAIRED_NOISE: f64 = 1.2;

/// The built post-training records.
#[derive(Debug, Clone)]
pub(crate) struct PostBuilt {
    /// Answers.
    pub sheet: Sheet,
    /// Record columns.
    pub meta: Vec<Meta>,
}

pub(crate) fn build(rng: &mut Rng, pre: &Built) -> Result<PostBuilt, DemoError> {
    let mut sheet = Sheet::new(POST);
    let mut meta = Vec::with_capacity(POST);
    // The pre-training record of each post-training respondent.
    let mut pre_of: Vec<usize> = Vec::with_capacity(POST);
    // Who answered: pre-training respondents of each site, as Table 3.
    for (site, count) in POST_BY_SITE.iter().enumerate() {
        let mut candidates: Vec<usize> = (0..VALID).filter(|&i| pre.meta[i].site == site).collect();
        rng.shuffle(&mut candidates);
        if candidates.len() < *count {
            return Err(DemoError::Calibration(format!(
                "site {site}: too few respondents"
            )));
        }
        for &i in candidates.iter().take(*count) {
            pre_of.push(i);
            let day = pre.day.get(i).copied().unwrap_or(0) + rng.below(4);
            meta.push(Meta {
                respondent_id: pre.meta[i].respondent_id.clone(),
                site,
                status: Status::Submitted,
                returning: false,
                started_on: survey_date(day),
            });
        }
    }
    let all: Vec<usize> = (0..POST).collect();
    // A person's answer after training follows their answer before it (those who knew
    // more before know more after), so that the paired tests on linked respondents see
    // what a real cohort would show; the post-training tables stay exact.
    let before = |var: String| {
        let values: Vec<f64> = pre_of
            .iter()
            .map(|&i| match pre.sheet.get(&var, i) {
                code @ 1..=5 => f64::from(code),
                _ => 3.0,
            })
            .collect();
        move |p: usize| values.get(p).copied().unwrap_or(3.0)
    };
    for (suffix, low, some, high) in KNOWLEDGE {
        let var = format!("post-knowledge-{suffix}");
        let score = before(format!("knowledge-{suffix}"));
        rank(
            rng,
            &mut sheet,
            &var,
            &all,
            &five_point(low, some, high),
            &score,
            PAIRED_NOISE,
        )?;
    }
    for (suffix, t, f, d) in ATTITUDES {
        let var = format!("post-attitude-{suffix}");
        deal(rng, &mut sheet, &var, &all, &[(1, t), (2, f), (3, d)])?;
    }
    for (suffix, low, middle, high) in CONFIDENCE {
        let var = format!("post-confidence-{suffix}");
        let score = before(format!("confidence-{suffix}"));
        rank(
            rng,
            &mut sheet,
            &var,
            &all,
            &five_point(low, middle, high),
            &score,
            PAIRED_NOISE,
        )?;
    }
    // Table 17: four left the evaluation page blank, one more skipped the trainers' row.
    let mut rated = all.clone();
    rng.shuffle(&mut rated);
    rated.truncate(68);
    for (row, poor, average, good, excellent) in EVALUATION {
        deal(
            rng,
            &mut sheet,
            row,
            &rated,
            &[(1, poor), (2, average), (3, good), (4, excellent)],
        )?;
    }
    // Twelve did the training in a group, nine of them at Site 8.
    for (site, group) in [(7usize, 9usize), (0, 1), (4, 1), (5, 1)] {
        let at_site: Vec<usize> = (0..POST).filter(|&i| meta[i].site == site).collect();
        let spec = [
            (1, group.div_ceil(2)),
            (2, group / 2),
            (3, at_site.len() - group),
        ];
        deal(rng, &mut sheet, "completed-in-group", &at_site, &spec)?;
    }
    let rest: Vec<usize> = (0..POST)
        .filter(|&i| ![7, 0, 4, 5].contains(&meta[i].site))
        .collect();
    deal(
        rng,
        &mut sheet,
        "completed-in-group",
        &rest,
        &[(3, rest.len())],
    )?;
    for i in 0..POST {
        if i % 3 != 2 {
            let text = texts::PRACTICE_CHANGES[rng.below(texts::PRACTICE_CHANGES.len())];
            sheet.set_text("practice-change", i, text);
        }
        if i % 2 == 0 || i < 4 {
            let text = texts::FURTHER_TRAINING[rng.below(texts::FURTHER_TRAINING.len())];
            sheet.set_text("further-training", i, text);
        }
    }
    Ok(PostBuilt { sheet, meta })
}
