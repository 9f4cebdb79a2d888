//! What practitioners are told about who sees their answers: one wording, made from the
//! study's settings, for the start page, the consent page and the invitation, so that
//! the promise and the confidentiality model (`docs/confidentiality.md`) cannot drift
//! apart. The model is enforced by `skafada-release` (what a site sees), the admin guard
//! (who sees records) and the store (what is kept).

/// Who sees what, in plain words, for a site whose reports hide numbers below
/// `threshold`.
pub(crate) fn who_sees_what(site_name: &str, threshold: i64) -> Vec<String> {
    let mut sentences = who_sees_answers(site_name, threshold);
    sentences.push(
        "If you ask for a certificate, the name you type is printed on it and not saved, and \
         nothing links a certificate to your answers."
            .to_owned(),
    );
    sentences
}

/// Who sees what, for a survey that gives no certificate (a follow-up wave).
pub(crate) fn who_sees_answers(site_name: &str, threshold: i64) -> Vec<String> {
    vec![
        "We do not ask for your name or email address, and we do not record your IP address \
         or device."
            .to_owned(),
        "The research team running the study sees each set of answers, without a name, to \
         analyse them."
            .to_owned(),
        site_sentence(site_name, threshold),
    ]
}

/// What the practitioner's own organisation sees, for the invitation and reminders.
pub(crate) fn site_sentence(site_name: &str, threshold: i64) -> String {
    format!(
        "{site_name} never sees your answers. It sees only figures for its staff as a whole, \
         in which no group of fewer than {threshold} people is shown."
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn the_site_is_told_it_sees_only_protected_figures_at_the_studys_threshold() {
        let text = who_sees_what("Northtown Council", 7).join(" ");
        assert!(text.contains("Northtown Council never sees your answers"));
        assert!(text.contains("no group of fewer than 7 people"));
        assert!(text.contains("nothing links a certificate to your answers"));
    }
}
