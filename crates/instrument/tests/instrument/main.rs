//! Integration tests of the instrument loader, validator and routing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail by panicking.

mod never_panics;
mod refusals;
mod routing;
mod skafada;

use skafada_instrument::{Instrument, LoadError, ProblemKind};

/// A small valid pre-training survey used as a base by the tests.
pub const MINI_PRE: &str = r#"
id = "mini-pre"
title = "Mini pre-training survey"
phase = "pre"

[scales.agreement]
options = [
  { code = 1, label = "Disagree" },
  { code = 2, label = "Agree" },
  { code = 9, label = "Not applicable", missing = "not-applicable" },
]

[[pages]]
id = "consent"
title = "Consent"

[[pages.items]]
id = "consent"
type = "consent"
text = "Consent"
statements = [{ id = "consent-agree", text = "I agree to take part." }]

[[pages]]
id = "work"
title = "Your work"

[[pages.items]]
id = "works-for-la"
type = "single"
text = "Do you work for a local authority?"
options = [{ code = 1, label = "Yes" }, { code = 2, label = "No" }]

[[pages.items]]
id = "employer"
type = "single"
text = "Who is your employer?"
show-if = { item = "works-for-la", is = [2] }
end-if = { is = [1], message = "Thank you. This survey is for Early Help staff." }
options = [
  { code = 1, label = "Specialist domestic abuse service" },
  { code = 2, label = "Other" },
]
specify = { id = "employer-other", text = "Please specify", when = [2] }

[[pages.items]]
id = "la-service"
type = "single"
text = "Which service do you work in?"
show-if = { item = "works-for-la", is = [1] }
options = [{ code = 1, label = "Early Help" }, { code = 2, label = "Other" }]

[[pages]]
id = "views"
title = "Your views"

[[pages.items]]
id = "confidence"
type = "matrix"
text = "How much do you agree?"
scale = "agreement"
rows = [
  { id = "confidence-referrals", text = "I can make referrals" },
  { id = "confidence-recording", text = "I can record abuse" },
]
"#;

/// A post-training survey that compares with [`MINI_PRE`].
pub const MINI_POST: &str = r#"
id = "mini-post"
title = "Mini post-training survey"
phase = "post"
compares-with = "mini-pre.toml"

[scales.agreement]
options = [
  { code = 1, label = "Disagree" },
  { code = 2, label = "Agree" },
]

[[pages]]
id = "views"
title = "Your views"

[[pages.items]]
id = "post-confidence"
type = "matrix"
text = "How much do you agree?"
scale = "agreement"
rows = [
  { id = "post-confidence-referrals", text = "I can make referrals", twin = "confidence-referrals" },
  { id = "post-confidence-recording", text = "I can record abuse", twin = "confidence-recording" },
]
"#;

/// Loads [`MINI_PRE`].
pub fn mini_pre() -> Instrument {
    skafada_instrument::load(MINI_PRE, "mini-pre.toml").expect("the mini pre survey is valid")
}

/// Loads a post-training survey against [`MINI_PRE`].
pub fn load_post(source: &str) -> Result<Instrument, LoadError> {
    let pre = mini_pre();
    skafada_instrument::parse(source, "mini-post.toml")?.validate(Some(&pre))
}

/// Asserts that loading fails with a problem of `kind`, and that the message names the file.
pub fn assert_refused(
    result: Result<Instrument, LoadError>,
    kind: ProblemKind,
    file: &str,
) -> LoadError {
    let error = result.expect_err("the file should be refused");
    assert!(error.has(kind), "expected a {kind:?} problem, got: {error}");
    assert!(
        error.to_string().starts_with(file),
        "the message should name {file}: {error}"
    );
    error
}
