//! The learning-time estimate.

use skafada_training::REFLECTION_SECONDS;

use crate::helpers::{block, loads, module_with_body};

#[test]
fn estimate_counts_reading_at_two_hundred_words_a_minute() {
    let loaded = loads(&module_with_body(&"word ".repeat(399)));
    let estimate = loaded.module.estimate();
    // 399 words of body and 1 of the title.
    assert_eq!(estimate.words, 400);
    assert_eq!(estimate.reading_seconds, 120);
    assert_eq!(estimate.total_minutes(), 2);
}

#[test]
fn estimate_adds_media_durations_and_activity_allowances() {
    let body = [
        block(
            "video",
            "src = \"https://v.example/1\"\ntitle = \"Film\"\nduration = \"3:00\"\ntranscript = \"Words\"",
        ),
        block("reflection", "prompt = \"Think\""),
    ]
    .concat();
    let estimate = loads(&module_with_body(&body)).module.estimate();
    assert_eq!(estimate.media_seconds, 180);
    assert_eq!(estimate.activity_seconds, REFLECTION_SECONDS);
}

#[test]
fn estimate_ignores_empty_lived_experience_slots() {
    let with_slot = loads(&module_with_body(&block(
        "lived-experience",
        &format!("guidance = \"{}\"", "word ".repeat(300)),
    )));
    let without = loads(&module_with_body("Some text.\n\nMore text.\n"));
    assert_eq!(with_slot.module.estimate(), without.module.estimate());
}

#[test]
fn certificate_states_the_estimate_when_no_time_is_declared() {
    let loaded = loads(&module_with_body(&"word ".repeat(1000)));
    assert_eq!(loaded.module.certificate_minutes(), 6);
}
