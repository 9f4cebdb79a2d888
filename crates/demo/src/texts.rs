//! Free-text answers: names of training received (coded into Table 16 by the plan's
//! `training-topic` rules), "other" service names (Table 8), job titles and comments.

use crate::rng::Rng;

/// Table 16: mentions per category of the plan's `training-topic`, in category order
/// (codes 1-22). 289 mentions.
pub const TRAINING_MENTIONS: [usize; 22] = [
    98, 41, 28, 16, 15, 14, 9, 9, 7, 6, 4, 3, 3, 3, 2, 1, 1, 1, 1, 1, 1, 25,
];

/// Respondents who named at least one training (Table 16's base).
pub const TRAINING_RESPONDENTS: usize = 233;

/// Phrases that each trigger exactly one `training-topic` category (checked by a test).
pub const PHRASES: [&[&str]; 22] = [
    &[
        "Domestic abuse awareness",
        "Domestic abuse training",
        "DVA awareness",
        "Domestic violence training",
        "Identifying domestic abuse",
        "Recognising and responding to domestic abuse",
    ],
    &[
        "Freedom Programme",
        "Freedom Programme facilitator training",
    ],
    &[
        "Impact on children",
        "Children and young people affected by domestic abuse",
    ],
    &["Safe and Together", "Safe and Together overview"],
    &["DASH risk assessment", "DASH"],
    &["Reducing parental conflict", "Parental conflict"],
    &["Working with perpetrators"],
    &["MARAC"],
    &["Domestic abuse in same sex relationships"],
    &["Coercive control"],
    &["Domestic abuse champion"],
    &["Toxic trio"],
    &["Healthy relationships"],
    &["FGM and honour based abuse"],
    &["Domestic homicide review learning"],
    &["Working with fathers"],
    &["Teenage relationship abuse"],
    &["Stalking"],
    &["Safety planning"],
    &["Domestic Abuse Act 2021"],
    &["Adverse childhood experiences"],
    &[
        "Can't remember the name",
        "Don't remember the name of the course",
    ],
];

/// Phrases naming a level of training (report: five "basic" or level 1, six level 2,
/// nine level 3); each triggers only category 1.
const LEVELS: [(&str, usize); 3] = [
    ("Basic domestic abuse course", 5),
    ("Domestic abuse level 2", 6),
    ("Level 3 domestic abuse", 9),
];

/// The 233 answers naming training: categories as [`TRAINING_MENTIONS`], "can't remember"
/// alone, 56 answers naming two categories.
pub fn training_names(rng: &mut Rng) -> Vec<String> {
    // Phrases for category 1, with the levels among them.
    let mut first: Vec<String> = LEVELS
        .iter()
        .flat_map(|(p, n)| std::iter::repeat_n((*p).to_owned(), *n))
        .collect();
    let plain = PHRASES[0];
    while first.len() < TRAINING_MENTIONS[0] {
        first.push(plain[first.len() % plain.len()].to_owned());
    }
    rng.shuffle(&mut first);
    // Every mention of categories 1-21 in category order; category 22 stands alone.
    let mut tokens: Vec<String> = first;
    for (index, count) in TRAINING_MENTIONS.iter().enumerate().take(21).skip(1) {
        let phrases = PHRASES[index];
        for k in 0..*count {
            tokens.push(phrases[k % phrases.len()].to_owned());
        }
    }
    let remembered = TRAINING_RESPONDENTS - TRAINING_MENTIONS[21];
    let mut answers: Vec<Vec<String>> = tokens
        .iter()
        .take(remembered)
        .map(|t| vec![t.clone()])
        .collect();
    // The rest are second mentions of respondents whose first mention is category 1.
    for (k, token) in tokens.iter().skip(remembered).enumerate() {
        if let Some(answer) = answers.get_mut(k) {
            answer.push(token.clone());
        }
    }
    let mut out: Vec<String> = answers.into_iter().map(|a| a.join("; ")).collect();
    for k in 0..TRAINING_MENTIONS[21] {
        out.push(PHRASES[21][k % PHRASES[21].len()].to_owned());
    }
    rng.shuffle(&mut out);
    out
}

/// "Other" local authority services (`la-service` 12) and the Table 8 row the plan's text
/// rules code each into.
pub const OTHER_SERVICES: [&str; 12] = [
    "Early Help locality team",
    "Family Hub outreach",
    "Early help family support",
    "Targeted family service",
    "Behaviour support team",
    "Emotional health and wellbeing service",
    "Behaviour and attendance team",
    "Disabled children's team",
    "SEND team",
    "Children with disabilities service",
    "Domestic abuse team",
    "Family support for refugee families",
];

/// Job titles (most practitioners, some managers and senior practitioners).
pub const JOB_TITLES: [&str; 10] = [
    "Family Support Worker",
    "Early Help Practitioner",
    "Family Practitioner",
    "Family Intensive Support Worker",
    "Children's Centre Practitioner",
    "Youth Worker",
    "Parenting Practitioner",
    "Senior Practitioner",
    "Team Manager",
    "Early Help Coordinator",
];

/// Answers to "How will this training change your practice?".
pub const PRACTICE_CHANGES: [&str; 6] = [
    "I will think more carefully about the language I use with survivors and their children.",
    "I will reflect more on the language I use when documenting concerns in reports.",
    "I will be more aware of the challenges children and families may be facing.",
    "I will challenge the language of others where it is appropriate.",
    "I feel more confident to ask about domestic abuse.",
    "I will listen to the child as well as the adult.",
];

/// Answers to "What further training on domestic abuse would be helpful to you?".
pub const FURTHER_TRAINING: [&str; 5] = [
    "Working with perpetrators.",
    "Regular refresher training.",
    "Tools for children and young people with learning needs.",
    "Working with survivors and their children.",
    "More on coercive control.",
];
