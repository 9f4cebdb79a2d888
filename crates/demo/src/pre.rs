//! The pre-training survey: 350 valid respondents calibrated to the report's tables,
//! figures and associations, and 100 records the cleaning rule removes.

use skafada_analysis::data::{MISSING, Status};

use crate::rng::Rng;
use crate::sheet::{Sheet, deal, five_point, members, rank};
use crate::texts;
use crate::{DemoError, MAIN_BY_SITE, Meta, survey_date};

/// Valid respondents (Table 3's total).
pub const VALID: usize = 350;

/// Untrained respondents per site (52 in all; Table 3's order).
const UNTRAINED_BY_SITE: [usize; 11] = [12, 5, 4, 2, 9, 7, 1, 2, 2, 2, 6];

/// Excluded records by reason: returning respondents, empty, below 50%, ended by routing.
const EXCLUDED: [(Kind, usize); 4] = [
    (Kind::Returning, 40),
    (Kind::Empty, 38),
    (Kind::Partial, 17),
    (Kind::Ended, 5),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Returning,
    Empty,
    Partial,
    Ended,
}

/// The built pre-training records: rows `0..VALID` are the valid respondents.
#[derive(Debug, Clone)]
pub(crate) struct Built {
    /// Answers of every raw record.
    pub sheet: Sheet,
    /// Record columns of every raw record.
    pub meta: Vec<Meta>,
    /// Days after opening each valid respondent started.
    pub day: Vec<usize>,
}

/// Shorthand for a list of (code, count).
fn s(pairs: &[(i32, usize)]) -> Vec<(i32, usize)> {
    pairs.to_vec()
}

/// Knowledge rows: (row suffix, very little/a little, some, quite a bit/a lot), n = 350.
pub const KNOWLEDGE: [(&str, usize, usize, usize); 18] = [
    ("national-guidance", 140, 120, 90),
    ("local-guidance", 100, 120, 130),
    ("dash", 36, 38, 276),
    ("impact-on-children", 15, 45, 290),
    ("your-role", 20, 57, 273),
    ("signs", 16, 50, 284),
    ("housing", 60, 130, 160),
    ("migrant-barriers", 116, 120, 114),
    ("financial", 50, 130, 170),
    ("questions-to-ask", 70, 110, 170),
    ("say-to-children", 75, 115, 160),
    ("say-to-parents", 72, 118, 160),
    ("non-disclosure", 30, 80, 240),
    ("documenting", 45, 110, 195),
    ("referrals", 60, 100, 190),
    ("responding-sensitively", 35, 105, 210),
    ("parental-conflict", 40, 95, 215),
    ("perpetrators", 91, 126, 133),
];

/// True/false rows: (row suffix, true, false, don't know), n = 350.
pub const ATTITUDES: [(&str, usize, usize, usize); 11] = [
    ("alcohol", 122, 140, 88),
    ("not-document", 25, 290, 35),
    ("survivor-choices", 150, 110, 90),
    ("multiple-needs", 294, 20, 36),
    ("child-witnessing", 336, 4, 10),
    ("minoritised-barriers", 315, 10, 25),
    ("women-abuse-men", 60, 232, 58),
    ("same-sex", 50, 220, 80),
    ("lie-for-housing", 60, 143, 147),
    ("certain-backgrounds", 10, 320, 20),
    ("mental-health-cause", 20, 270, 60),
];

/// Confidence rows: (row suffix, disagree, neither, agree).
pub const CONFIDENCE: [(&str, usize, usize, usize); 11] = [
    ("responsibility", 5, 10, 335),
    ("sufficient-training", 65, 47, 238),
    ("documenting", 26, 74, 249),
    ("identity", 40, 84, 226),
    ("safeguarding-disclosure", 10, 20, 320),
    ("referrals-adults", 20, 34, 296),
    ("referrals-children", 15, 35, 300),
    ("coercive-control", 15, 45, 290),
    ("child-contact", 20, 50, 280),
    ("culture-language", 300, 30, 20),
    ("expert-advice", 30, 50, 270),
];

/// Enquiry rows (Figure 2): (row suffix, % never/seldom, % nearly always/always) of 330
/// substantive answers; 20 respondents answer "not applicable".
pub const ENQUIRY: [(&str, f64, f64); 18] = [
    ("childcare", 20.3, 42.0),
    ("parenting", 6.6, 69.4),
    ("running-away", 18.4, 54.1),
    ("anti-social", 10.2, 58.2),
    ("self-harm", 12.0, 57.4),
    ("disabilities", 20.5, 45.5),
    ("mental-health", 7.1, 66.0),
    ("substance-misuse", 12.1, 61.6),
    ("injuries", 12.3, 64.8),
    ("physical-health", 15.3, 52.4),
    ("financial", 9.5, 61.8),
    ("withdrawn", 8.0, 66.3),
    ("child-to-parent-violence", 10.0, 66.9),
    ("parental-conflict", 3.8, 78.0),
    ("aggressive-behaviour", 6.5, 74.0),
    ("school-attendance", 11.3, 59.3),
    ("emotional-sleeping", 12.6, 60.3),
    ("housing", 10.0, 60.0),
];

/// Actions (Figure 5): ticks per option code 1-10 and "not applicable" (99) among 340
/// respondents who answered, for parents and for children.
pub const ACTIONS_PARENTS: [usize; 11] = [252, 224, 204, 139, 211, 258, 218, 199, 241, 255, 20];
/// See [`ACTIONS_PARENTS`].
pub const ACTIONS_CHILDREN: [usize; 11] = [126, 170, 133, 68, 153, 207, 139, 129, 170, 214, 40];

pub(crate) fn build(rng: &mut Rng) -> Result<Built, DemoError> {
    let n = VALID;
    let total = n + EXCLUDED.iter().map(|(_, k)| k).sum::<usize>();
    let mut sheet = Sheet::new(total);
    let mut profile = Sheet::new(n);
    let all: Vec<usize> = (0..n).collect();

    // Sites (Table 3) and previous training by site.
    let mut site: Vec<usize> = MAIN_BY_SITE
        .iter()
        .enumerate()
        .flat_map(|(s, k)| std::iter::repeat_n(s, *k))
        .collect();
    rng.shuffle(&mut site);
    let mut trained = vec![true; n];
    for (s, untrained) in UNTRAINED_BY_SITE.iter().enumerate() {
        let mut at_site = members(n, |i| site[i] == s);
        rng.shuffle(&mut at_site);
        for &i in at_site.iter().take(*untrained) {
            trained[i] = false;
        }
    }
    let untrained_members = members(n, |i| !trained[i]);
    let trained_members = members(n, |i| trained[i]);
    // Time with current employer (Table 7) by training.
    deal(
        rng,
        &mut profile,
        "tenure",
        &untrained_members,
        &s(&[(1, 30), (2, 8), (3, 14)]),
    )?;
    deal(
        rng,
        &mut profile,
        "tenure",
        &trained_members,
        &s(&[(1, 119), (2, 46), (3, 133)]),
    )?;
    let tenure: Vec<i32> = (0..n).map(|i| profile.get("tenure", i)).collect();
    for (i, band) in tenure.iter().enumerate() {
        let back = match band {
            1 => rng.below(6),
            2 => 6 + rng.below(5),
            _ => 11 + rng.below(25),
        };
        sheet.set("start-year", i, 2023 - back as i32);
    }

    // Consent.
    for i in 0..n {
        for statement in CONSENT {
            sheet.set(statement, i, 1);
        }
    }
    // Table 5.
    deal(
        rng,
        &mut sheet,
        "gender",
        &all,
        &s(&[(1, 318), (2, 30), (4, 1), (7, 1)]),
    )?;
    deal(
        rng,
        &mut sheet,
        "age",
        &all,
        &s(&[(2, 39), (3, 86), (4, 91), (5, 107), (6, 20), (7, 7)]),
    )?;
    let site5 = members(n, |i| site[i] == 4);
    let site8 = members(n, |i| site[i] == 7);
    let elsewhere = members(n, |i| site[i] != 4 && site[i] != 7);
    deal(
        rng,
        &mut sheet,
        "ethnicity",
        &site5,
        &s(&[
            (11, 40),
            (12, 2),
            (21, 4),
            (22, 2),
            (41, 3),
            (42, 4),
            (43, 1),
            (31, 2),
            (61, 1),
        ]),
    )?;
    deal(
        rng,
        &mut sheet,
        "ethnicity",
        &site8,
        &s(&[
            (11, 29),
            (12, 2),
            (21, 3),
            (22, 2),
            (41, 2),
            (42, 3),
            (31, 2),
            (61, 1),
        ]),
    )?;
    deal(
        rng,
        &mut sheet,
        "ethnicity",
        &elsewhere,
        &s(&[
            (11, 210),
            (12, 11),
            (21, 3),
            (22, 2),
            (41, 3),
            (42, 2),
            (44, 2),
            (31, 2),
            (61, 3),
            (51, 2),
            (32, 2),
        ]),
    )?;
    // Table 6 and the caring responsibilities quoted beside it (46.8% of 348).
    deal(
        rng,
        &mut sheet,
        "disability",
        &all,
        &s(&[(1, 43), (2, 290), (9, 13)]),
    )?;
    deal(
        rng,
        &mut sheet,
        "caring-responsibilities",
        &all,
        &s(&[(1, 163), (2, 180), (9, 5)]),
    )?;
    // Table 13.
    deal(
        rng,
        &mut sheet,
        "qualification",
        &all,
        &s(&[(1, 40), (2, 84), (3, 150), (4, 54), (5, 6), (6, 15)]),
    )?;
    for i in 0..n {
        match sheet.get("qualification", i) {
            5 => sheet.set_text(
                "qualification-specify",
                i,
                "Qualification from outside the UK",
            ),
            6 => sheet.set_text(
                "qualification-specify",
                i,
                "NVQ Level 3 in Children and Young People's Workforce",
            ),
            _ => {}
        }
    }
    // 89% more than six years working with children and families.
    deal(
        rng,
        &mut sheet,
        "experience-years",
        &all,
        &s(&[(1, 6), (2, 12), (3, 20), (4, 312)]),
    )?;

    // Table 8: 342 work for a local authority; 8 do not.
    deal(rng, &mut profile, "la", &all, &s(&[(1, 342), (2, 8)]))?;
    let la = members(n, |i| profile.get("la", i) == 1);
    let not_la = members(n, |i| profile.get("la", i) == 2);
    for &i in &la {
        sheet.set("works-for-la", i, 1);
    }
    for &i in &not_la {
        sheet.set("works-for-la", i, 2);
    }
    deal(
        rng,
        &mut sheet,
        "employer",
        &not_la,
        &s(&[(4, 3), (5, 2), (9, 3)]),
    )?;
    for &i in &not_la {
        if sheet.get("employer", i) == 9 {
            sheet.set_text("employer-specify", i, "Children's Trust");
        }
    }
    deal(
        rng,
        &mut sheet,
        "la-service",
        &la,
        &s(&[
            (1, 100),
            (6, 45),
            (2, 78),
            (3, 71),
            (4, 8),
            (5, 8),
            (7, 6),
            (9, 5),
            (8, 7),
            (12, 12),
            (10, 1),
            (11, 1),
        ]),
    )?;
    let other_service = members(n, |i| sheet.get("la-service", i) == 12);
    for (k, &i) in other_service.iter().enumerate() {
        if let Some(text) = texts::OTHER_SERVICES.get(k) {
            sheet.set_text("la-service-specify", i, *text);
        }
    }
    for &i in &all {
        let title = texts::JOB_TITLES[rng.below(texts::JOB_TITLES.len())];
        sheet.set_text("job-title", i, title);
    }
    // Table 9 (erratum: 41 "Other", not 44).
    deal(
        rng,
        &mut sheet,
        "work-area",
        &all,
        &s(&[(3, 167), (2, 138), (4, 41)]),
    )?;
    let other_area = members(n, |i| sheet.get("work-area", i) == 4);
    for (k, &i) in other_area.iter().enumerate() {
        let text = [
            "Learning support",
            "Neighbourhood support",
            "Family learning",
        ][k % 3];
        sheet.set_text("work-area-specify", i, text);
    }
    // Who they mainly work with: 20 mainly with parents, all at Site 5.
    deal(rng, &mut profile, "mainly", &site5, &s(&[(3, 20), (2, 39)]))?;
    let not5 = members(n, |i| site[i] != 4);
    deal(rng, &mut profile, "mainly", &not5, &s(&[(1, 12), (2, 275)]))?;
    for i in 0..n {
        let mainly = profile.get("mainly", i);
        if mainly != MISSING {
            sheet.set("works-mainly-children", i, if mainly == 1 { 1 } else { 2 });
            sheet.set(
                "works-mainly-children-and-parents",
                i,
                if mainly == 2 { 1 } else { 2 },
            );
            sheet.set("works-mainly-parents", i, if mainly == 3 { 1 } else { 2 });
        }
    }
    // Table 10.
    deal(
        rng,
        &mut profile,
        "ages",
        &all,
        &s(&[(1, 26), (2, 14), (3, 22), (4, 23), (5, 262)]),
    )?;
    for i in 0..n {
        let (a, b, c) = match profile.get("ages", i) {
            1 => (1, 2, 2),
            2 => (2, 1, 2),
            3 => (1, 1, 2),
            4 => (2, 2, 1),
            5 => (1, 1, 1),
            _ => continue,
        };
        sheet.set("ages-under-5", i, a);
        sheet.set("ages-5-11", i, b);
        sheet.set("ages-over-11", i, c);
    }
    // Table 11.
    deal(
        rng,
        &mut sheet,
        "works-with-fathers",
        &all,
        &s(&[(1, 4), (2, 128), (3, 169), (4, 49)]),
    )?;
    // Table 12: 61.5% of Site 1 do not hold cases.
    let site1 = members(n, |i| site[i] == 0);
    let not1 = members(n, |i| site[i] != 0);
    deal(
        rng,
        &mut sheet,
        "holds-cases",
        &site1,
        &s(&[(2, 40), (1, 25)]),
    )?;
    deal(
        rng,
        &mut sheet,
        "holds-cases",
        &not1,
        &s(&[(2, 67), (1, 218)]),
    )?;
    let holders = members(n, |i| sheet.get("holds-cases", i) == 1);
    let non_holders = members(n, |i| sheet.get("holds-cases", i) == 2);
    deal(
        rng,
        &mut profile,
        "caseload",
        &holders,
        &s(&[(1, 140), (2, 86), (3, 5), (4, 4), (5, 1), (6, 7)]),
    )?;
    deal(
        rng,
        &mut profile,
        "families",
        &non_holders,
        &s(&[(1, 51), (2, 9), (3, 6), (4, 3), (5, 26)]),
    )?;
    for i in 0..n {
        for (band_var, var) in [
            ("caseload", "cases-held"),
            ("families", "families-worked-with"),
        ] {
            let number = match profile.get(band_var, i) {
                1 => 1 + rng.below(10),
                2 => 11 + rng.below(10),
                3 => 21 + rng.below(10),
                4 => 31 + rng.below(10),
                5 => 41 + rng.below(9),
                6 => 50 + rng.below(30),
                _ => continue,
            };
            sheet.set(var, i, number as i32);
        }
    }
    // Table 14.
    deal(
        rng,
        &mut sheet,
        "personal-experience",
        &all,
        &s(&[(1, 136), (2, 176), (9, 36)]),
    )?;
    // Training: 85.1% trained; 76.4% rate it 4 or 5; 90.3% say it covered children.
    for (i, t) in trained.iter().enumerate() {
        sheet.set("trained", i, if *t { 1 } else { 2 });
    }
    deal(
        rng,
        &mut sheet,
        "trained-current-role",
        &trained_members,
        &s(&[(1, 270), (2, 28)]),
    )?;
    deal(
        rng,
        &mut sheet,
        "training-quality",
        &trained_members,
        &s(&[(1, 6), (2, 12), (3, 50), (4, 130), (5, 90)]),
    )?;
    deal(
        rng,
        &mut sheet,
        "training-covered-children",
        &trained_members,
        &s(&[(1, 260), (2, 28)]),
    )?;
    // Table 16.
    let mut namers = trained_members.clone();
    rng.shuffle(&mut namers);
    for (i, text) in namers.into_iter().zip(texts::training_names(rng)) {
        sheet.set_text("training-names", i, text);
    }
    // Table 15.
    deal(
        rng,
        &mut sheet,
        "da-cases",
        &all,
        &s(&[(1, 38), (2, 147), (3, 72), (4, 37), (5, 39), (9, 17)]),
    )?;

    // Scores behind the associations: previous training, time with employer, degree.
    let is_trained = |i: usize| if trained[i] { 1.0 } else { 0.0 };
    let years = |i: usize| f64::from(tenure[i] - 1) * 0.5;
    let degree: Vec<f64> = (0..n)
        .map(|i| match sheet.get("qualification", i) {
            3 | 4 => 1.0,
            _ => 0.0,
        })
        .collect();

    // Figure 2: enquiry with parents and children.
    for (suffix, low, high) in ENQUIRY {
        let answered = 330.0;
        let low = (low * answered / 100.0).round() as usize;
        let high = (high * answered / 100.0).round() as usize;
        let spec = five_point(low, 330 - low - high, high);
        for item in ["enquiry-parents", "enquiry-children"] {
            if item == "enquiry-children" && suffix == "housing" {
                continue;
            }
            let var = format!("{item}-{suffix}");
            let mut order = all.clone();
            rng.shuffle(&mut order);
            let (na, rest) = order.split_at(20);
            for &i in na {
                sheet.set(&var, i, 9);
            }
            let score = |i: usize| 0.6 * is_trained(i) + 0.4 * years(i) + 0.3 * degree[i];
            rank(rng, &mut sheet, &var, rest, &spec, &score, 0.9)?;
        }
    }

    // Figure 3: knowledge. Perpetrators by work with fathers (36% vs 20%, p = .003).
    let know = |i: usize| 1.2 * is_trained(i) + years(i);
    for (suffix, low, some, high) in KNOWLEDGE {
        let var = format!("knowledge-{suffix}");
        if suffix == "perpetrators" {
            let seldom = members(n, |i| matches!(sheet.get("works-with-fathers", i), 1 | 2));
            let often = members(n, |i| matches!(sheet.get("works-with-fathers", i), 3 | 4));
            rank(
                rng,
                &mut sheet,
                &var,
                &seldom,
                &five_point(47, 46, 39),
                &know,
                1.0,
            )?;
            rank(
                rng,
                &mut sheet,
                &var,
                &often,
                &five_point(44, 80, 94),
                &know,
                1.0,
            )?;
        } else {
            rank(
                rng,
                &mut sheet,
                &var,
                &all,
                &five_point(low, some, high),
                &know,
                1.0,
            )?;
        }
    }

    // Figure 4: true/false statements.
    for (suffix, t, f, d) in ATTITUDES {
        let var = format!("attitude-{suffix}");
        match suffix {
            // Untrained more often think it true (p = .007).
            "women-abuse-men" => {
                deal(
                    rng,
                    &mut sheet,
                    &var,
                    &untrained_members,
                    &s(&[(1, 12), (2, 25), (3, 15)]),
                )?;
                deal(
                    rng,
                    &mut sheet,
                    &var,
                    &trained_members,
                    &s(&[(1, 48), (2, 207), (3, 43)]),
                )?;
            }
            // Untrained more often unsure.
            "child-witnessing" => {
                deal(
                    rng,
                    &mut sheet,
                    &var,
                    &untrained_members,
                    &s(&[(1, 45), (2, 1), (3, 6)]),
                )?;
                deal(
                    rng,
                    &mut sheet,
                    &var,
                    &trained_members,
                    &s(&[(1, 291), (2, 3), (3, 4)]),
                )?;
            }
            "minoritised-barriers" => {
                deal(
                    rng,
                    &mut sheet,
                    &var,
                    &untrained_members,
                    &s(&[(1, 38), (2, 2), (3, 12)]),
                )?;
                deal(
                    rng,
                    &mut sheet,
                    &var,
                    &trained_members,
                    &s(&[(1, 277), (2, 8), (3, 13)]),
                )?;
            }
            // 11+ years more often think it false (p = .008).
            "lie-for-housing" => {
                for (band, spec) in [
                    (1, [(1, 31), (2, 45), (3, 73)]),
                    (2, [(1, 9), (2, 29), (3, 16)]),
                    (3, [(1, 20), (2, 69), (3, 58)]),
                ] {
                    let group = members(n, |i| tenure[i] == band);
                    deal(rng, &mut sheet, &var, &group, &spec)?;
                }
            }
            _ => deal(rng, &mut sheet, &var, &all, &s(&[(1, t), (2, f), (3, d)]))?,
        }
    }

    // Figure 5: actions taken.
    for (item, ticks) in [
        ("actions-parents", ACTIONS_PARENTS),
        ("actions-children", ACTIONS_CHILDREN),
    ] {
        let mut order = all.clone();
        rng.shuffle(&mut order);
        order.truncate(340);
        let (na, active) = order.split_at(ticks[10]);
        for &i in na {
            for code in 1..=10 {
                sheet.set(&format!("{item}.{code}"), i, 0);
            }
            sheet.set(&format!("{item}.99"), i, 1);
        }
        let mut given = vec![0usize; n];
        let mut options: Vec<(usize, usize)> = ticks.iter().take(10).copied().enumerate().collect();
        options.sort_by_key(|o| std::cmp::Reverse(o.1));
        for (index, count) in options {
            // Those with fewest ticks so far first, so that everyone ticks something.
            let mut keyed: Vec<(usize, u64, usize)> = active
                .iter()
                .map(|&i| (given[i], rng.next_u64(), i))
                .collect();
            keyed.sort_unstable();
            let var = format!("{item}.{}", index + 1);
            for (k, (_, _, i)) in keyed.into_iter().enumerate() {
                let tick = k < count;
                sheet.set(&var, i, i32::from(tick));
                if tick {
                    given[i] += 1;
                }
            }
        }
        for &i in active {
            sheet.set(&format!("{item}.99"), i, 0);
        }
    }

    // Figure 6: support groups and refuges (Yes 1, No 2, Unsure 3).
    resources(rng, &mut sheet, &site, &trained, &tenure)?;

    // Figure 1: role, responsibilities and confidence (agree3 by training etc.).
    for (suffix, low, middle, high) in CONFIDENCE {
        let var = format!("confidence-{suffix}");
        match suffix {
            "sufficient-training" => {
                deal(
                    rng,
                    &mut sheet,
                    &var,
                    &untrained_members,
                    &five_point(16, 13, 23),
                )?;
                deal(
                    rng,
                    &mut sheet,
                    &var,
                    &trained_members,
                    &five_point(49, 34, 215),
                )?;
            }
            "referrals-adults" => {
                deal(
                    rng,
                    &mut sheet,
                    &var,
                    &untrained_members,
                    &five_point(8, 10, 34),
                )?;
                deal(
                    rng,
                    &mut sheet,
                    &var,
                    &trained_members,
                    &five_point(12, 24, 262),
                )?;
            }
            "documenting" => {
                // 22% of untrained vs 5% of trained disagree; longer tenure more confident.
                let table: [(bool, i32, usize, usize, usize); 6] = [
                    (false, 1, 10, 10, 9),
                    (false, 2, 1, 2, 5),
                    (false, 3, 0, 2, 12),
                    (true, 1, 12, 35, 72),
                    (true, 2, 2, 10, 34),
                    (true, 3, 1, 15, 117),
                ];
                for (t, band, d, m, a) in table {
                    let group = members(n, |i| trained[i] == t && tenure[i] == band);
                    deal(rng, &mut sheet, &var, &group, &five_point(d, m, a))?;
                }
            }
            "culture-language" => {
                // Worded the other way: agreeing is the less informed answer.
                let spec: Vec<(i32, usize)> =
                    five_point(low, middle, high).into_iter().rev().collect();
                rank(rng, &mut sheet, &var, &all, &spec, &know, 1.0)?;
            }
            _ => rank(
                rng,
                &mut sheet,
                &var,
                &all,
                &five_point(low, middle, high),
                &know,
                1.0,
            )?,
        }
    }

    // Record columns of the valid respondents.
    let mut meta = Vec::with_capacity(total);
    let mut day = Vec::with_capacity(n);
    for &s in site.iter().take(n) {
        let d = rng.below(64);
        day.push(d);
        meta.push(Meta {
            respondent_id: rng.hex(16),
            site: s,
            status: Status::Submitted,
            returning: false,
            started_on: survey_date(d),
        });
    }
    excluded(rng, &mut sheet, &mut meta, &site, &day, n)?;
    Ok(Built { sheet, meta, day })
}

const CONSENT: [&str; 6] = [
    "consent-information-sheet",
    "consent-anonymous-survey",
    "consent-voluntary",
    "consent-data-protection",
    "consent-data-retention",
    "consent-take-part",
];

/// Figure 6 with its associations: training, time with employer, Sites 6 and 8.
fn resources(
    rng: &mut Rng,
    sheet: &mut Sheet,
    site: &[usize],
    trained: &[bool],
    tenure: &[i32],
) -> Result<(), DemoError> {
    let n = VALID;
    let short = |i: usize| f64::from(tenure[i]);
    let long = |i: usize| -f64::from(tenure[i]);
    // Knowledge of support groups: 65% yes; Site 8 38 of 44; untrained less (p < .001).
    let var = "resources-knowledge-support-groups";
    for (at8, t, spec) in [
        (true, true, [(1, 38), (2, 2), (3, 2)]),
        (true, false, [(1, 0), (2, 1), (3, 1)]),
        (false, false, [(1, 15), (2, 25), (3, 10)]),
        (false, true, [(1, 173), (2, 52), (3, 29)]),
    ] {
        let group = members(n, |i| (site[i] == 7) == at8 && trained[i] == t);
        deal(rng, sheet, var, &group, &spec)?;
    }
    // Knowledge of refuges: 48% yes; untrained less (p = .009); short tenure less.
    let var = "resources-knowledge-refuges";
    for (t, spec) in [
        (false, [(2, 25), (3, 12), (1, 15)]),
        (true, [(2, 105), (3, 39), (1, 152)]),
    ] {
        let group = members(n, |i| trained[i] == t);
        rank(rng, sheet, var, &group, &spec, &short, 0.6)?;
    }
    // Sufficient support groups: 41% no; Site 6 27 of 42; untrained unsure (p = .002);
    // 11+ years more often no.
    let var = "resources-sufficient-support-groups";
    for (at6, t, spec) in [
        (true, false, [(2, 3), (3, 3), (1, 1)]),
        (true, true, [(2, 24), (3, 4), (1, 7)]),
        (false, false, [(2, 8), (3, 23), (1, 14)]),
        (false, true, [(2, 108), (3, 80), (1, 73)]),
    ] {
        let group = members(n, |i| (site[i] == 5) == at6 && trained[i] == t);
        rank(rng, sheet, var, &group, &spec, &long, 0.6)?;
    }
    // Sufficient refuges: 55% no; untrained unsure (p = .047).
    let var = "resources-sufficient-refuges";
    for (t, spec) in [
        (false, [(1, 6), (2, 23), (3, 22)]),
        (true, [(1, 51), (2, 168), (3, 78)]),
    ] {
        let group = members(n, |i| trained[i] == t);
        deal(rng, sheet, var, &group, &spec)?;
    }
    Ok(())
}

/// The 100 records the cleaning rule removes.
fn excluded(
    rng: &mut Rng,
    sheet: &mut Sheet,
    meta: &mut Vec<Meta>,
    site: &[usize],
    day: &[usize],
    n: usize,
) -> Result<(), DemoError> {
    let mut returners: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut returners);
    let mut row = n;
    for (kind, count) in EXCLUDED {
        for (k, &original) in returners.iter().enumerate().take(count) {
            let like = rng.below(n);
            let (respondent_id, s, d) = match kind {
                Kind::Returning => (
                    meta[original].respondent_id.clone(),
                    site[original],
                    day[original] + 1 + rng.below(6),
                ),
                _ => (rng.hex(16), site[like], rng.below(70)),
            };
            let status = match kind {
                Kind::Returning | Kind::Empty => Status::Started,
                Kind::Partial => Status::Consented,
                Kind::Ended => Status::Ended,
            };
            if matches!(kind, Kind::Partial | Kind::Ended) {
                for statement in CONSENT {
                    sheet.set(statement, row, 1);
                }
                sheet.set("gender", row, 1 + (k % 2) as i32);
                sheet.set("age", row, 2 + (k % 5) as i32);
                sheet.set("ethnicity", row, 11);
                sheet.set("disability", row, 2);
                sheet.set("caring-responsibilities", row, 1 + (k % 2) as i32);
                sheet.set("qualification", row, 1 + (k % 4) as i32);
                sheet.set("experience-years", row, 4);
                sheet.set("start-year", row, 2010 + (k % 12) as i32);
            }
            if kind == Kind::Ended {
                // Specialist domestic abuse service or CAMHS: the survey closes.
                sheet.set("works-for-la", row, 2);
                sheet.set("employer", row, 1 + (k % 2) as i32);
            }
            meta.push(Meta {
                respondent_id,
                site: s,
                status,
                returning: kind == Kind::Returning,
                started_on: survey_date(d),
            });
            row += 1;
        }
    }
    if row != meta.len() {
        return Err(DemoError::Calibration("excluded records miscounted".into()));
    }
    Ok(())
}
