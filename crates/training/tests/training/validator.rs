//! One test per kind of refusal, and the warnings.

use skafada_training::{Block, LivedExperience, ModuleSources, Problem, Severity, load};

use crate::helpers::{MANIFEST, block, loads, module_with_body, refused, refused_once, section};

#[test]
fn validator_accepts_a_minimal_module() {
    let loaded = loads(&module_with_body("Hello.\n"));
    assert_eq!(loaded.module.sections.len(), 1);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

#[test]
fn validator_refuses_a_module_without_module_toml() {
    let mut sources = ModuleSources::new();
    sources.insert("sections/first.md", section("Hello."));
    refused_once(&sources, |p| matches!(p, Problem::ManifestMissing));
}

#[test]
fn validator_refuses_module_toml_with_a_syntax_error_and_names_the_line() {
    let mut sources = module_with_body("Hello.");
    sources.insert(
        "module.toml",
        MANIFEST.replace("version = \"1\"", "version = 1\""),
    );
    let d = refused_once(&sources, |p| matches!(p, Problem::ManifestInvalid { .. }));
    assert_eq!(d.file, "module.toml");
    assert_eq!(d.line, Some(5));
}

#[test]
fn validator_refuses_module_toml_missing_a_required_field() {
    let mut sources = module_with_body("Hello.");
    sources.insert(
        "module.toml",
        MANIFEST.replace("audience = \"Testers\"\n", ""),
    );
    let d = refused_once(&sources, |p| matches!(p, Problem::ManifestInvalid { .. }));
    assert!(d.to_string().contains("audience"), "{d}");
}

#[test]
fn validator_refuses_an_unknown_field_in_module_toml() {
    let mut sources = module_with_body("Hello.");
    sources.insert(
        "module.toml",
        format!("{MANIFEST}\n[certificate]\nlearning_minuts = 5\n"),
    );
    refused_once(
        &sources,
        |p| matches!(p, Problem::ManifestInvalid { message } if message.contains("learning_minuts")),
    );
}

#[test]
fn validator_refuses_an_empty_title() {
    let mut sources = module_with_body("Hello.");
    sources.insert("module.toml", MANIFEST.replace("An example module", " "));
    let d = refused_once(
        &sources,
        |p| matches!(p, Problem::EmptyField { field } if field == "title"),
    );
    assert_eq!(d.line, Some(2));
}

#[test]
fn validator_refuses_an_invalid_module_id() {
    let mut sources = module_with_body("Hello.");
    sources.insert(
        "module.toml",
        MANIFEST.replace("id = \"example\"", "id = \"My Module\""),
    );
    refused_once(
        &sources,
        |p| matches!(p, Problem::InvalidId { id } if id == "My Module"),
    );
}

#[test]
fn validator_refuses_a_module_with_no_sections() {
    let mut sources = module_with_body("Hello.");
    sources.insert("module.toml", MANIFEST.replace("[\"first\"]", "[]"));
    let errors = refused(&sources);
    assert!(errors.iter().any(|d| d.problem == Problem::NoSections));
}

#[test]
fn validator_refuses_duplicate_section_ids() {
    let mut sources = module_with_body("Hello.");
    sources.insert(
        "module.toml",
        MANIFEST.replace("[\"first\"]", "[\"first\", \"first\"]"),
    );
    let d = refused_once(
        &sources,
        |p| matches!(p, Problem::DuplicateSectionId { id } if id == "first"),
    );
    assert_eq!(d.line, Some(6));
}

#[test]
fn validator_refuses_a_section_listed_in_module_toml_but_missing() {
    let mut sources = module_with_body("Hello.");
    sources.insert(
        "module.toml",
        MANIFEST.replace("[\"first\"]", "[\"first\", \"second\"]"),
    );
    let d = refused_once(
        &sources,
        |p| matches!(p, Problem::SectionMissing { id, expected_path } if id == "second" && expected_path == "sections/second.md"),
    );
    assert_eq!(d.file, "module.toml");
}

#[test]
fn validator_refuses_a_section_whose_id_differs_from_its_file_name() {
    let mut sources = module_with_body("Hello.");
    sources.insert(
        "sections/first.md",
        section("Hello.").replace("id = \"first\"", "id = \"frist\""),
    );
    let d = refused_once(&sources, |p| matches!(p, Problem::SectionIdMismatch { .. }));
    assert_eq!((d.file.as_str(), d.line), ("sections/first.md", Some(2)));
}

#[test]
fn validator_refuses_duplicate_source_ids() {
    let mut sources = module_with_body("Hello.");
    sources.insert(
        "module.toml",
        format!("{MANIFEST}\n[[sources]]\nid = \"act\"\ntitle = \"Again\"\n"),
    );
    refused_once(
        &sources,
        |p| matches!(p, Problem::DuplicateSourceId { id } if id == "act"),
    );
}

#[test]
fn validator_refuses_a_section_citing_an_unknown_source() {
    let mut sources = module_with_body("Hello.");
    sources.insert(
        "sections/first.md",
        section("Hello.").replace("[\"act\"]", "[\"act\", \"nice-ph50\"]"),
    );
    let d = refused_once(
        &sources,
        |p| matches!(p, Problem::UnknownSource { id } if id == "nice-ph50"),
    );
    assert_eq!(d.line, Some(5));
}

#[test]
fn validator_refuses_an_invalid_knowledge_statement_id() {
    let mut sources = module_with_body("Hello.");
    sources.insert(
        "sections/first.md",
        section("Hello.").replace("knowledge-signs", "Q11 signs"),
    );
    refused_once(
        &sources,
        |p| matches!(p, Problem::InvalidId { id } if id == "Q11 signs"),
    );
}

#[test]
fn validator_refuses_a_section_without_front_matter() {
    let mut sources = module_with_body("Hello.");
    sources.insert("sections/first.md", "# First\n\nHello.\n");
    let d = refused_once(&sources, |p| matches!(p, Problem::FrontMatterMissing));
    assert_eq!(d.line, Some(1));
}

#[test]
fn validator_refuses_front_matter_without_a_closing_fence() {
    let mut sources = module_with_body("Hello.");
    sources.insert(
        "sections/first.md",
        "+++\nid = \"first\"\ntitle = \"First\"\nHello.\n",
    );
    refused_once(&sources, |p| matches!(p, Problem::FrontMatterUnclosed));
}

#[test]
fn validator_refuses_a_syntax_error_in_front_matter_and_names_the_line() {
    let mut sources = module_with_body("Hello.");
    sources.insert(
        "sections/first.md",
        section("Hello.").replace("title = \"First\"", "title = \"First"),
    );
    let d = refused_once(&sources, |p| {
        matches!(p, Problem::FrontMatterInvalid { .. })
    });
    assert_eq!((d.file.as_str(), d.line), ("sections/first.md", Some(3)));
}

#[test]
fn validator_refuses_an_unknown_block_kind() {
    let sources = module_with_body(&block("quiz", "question = \"?\""));
    let d = refused_once(
        &sources,
        |p| matches!(p, Problem::UnknownBlockKind { kind, .. } if kind == "quiz"),
    );
    assert_eq!((d.line, d.column), (Some(9), Some(1)));
    assert!(
        d.to_string()
            .starts_with("sections/first.md:9:1: error: unknown block kind `quiz`"),
        "{d}"
    );
}

#[test]
fn validator_refuses_a_fenced_block_without_a_kind() {
    let sources = module_with_body("```\nplain code\n```\n");
    refused_once(
        &sources,
        |p| matches!(p, Problem::UnknownBlockKind { kind, .. } if kind.is_empty()),
    );
}

#[test]
fn validator_refuses_an_indented_code_block() {
    let sources = module_with_body("Text.\n\n    indented code\n");
    refused_once(&sources, |p| matches!(p, Problem::IndentedCodeBlock));
}

#[test]
fn validator_refuses_a_block_inside_a_list() {
    let sources = module_with_body("- item\n\n  ```reflection\n  prompt = \"Think\"\n  ```\n");
    refused_once(
        &sources,
        |p| matches!(p, Problem::BlockNotAtTopLevel { kind } if kind == "reflection"),
    );
}

#[test]
fn validator_refuses_a_block_with_a_toml_syntax_error_and_names_the_line() {
    let sources = module_with_body(&block(
        "reflection",
        "prompt = \"What would you do?\"\nhint = oops",
    ));
    let d = refused_once(
        &sources,
        |p| matches!(p, Problem::BlockInvalid { kind, .. } if kind == "reflection"),
    );
    assert_eq!(d.line, Some(11));
}

#[test]
fn validator_refuses_an_unknown_field_in_a_block() {
    let sources = module_with_body(&block("reflection", "prompt = \"Think\"\nanswer = \"x\""));
    refused_once(
        &sources,
        |p| matches!(p, Problem::BlockInvalid { message, .. } if message.contains("answer")),
    );
}

#[test]
fn validator_refuses_an_image_block_without_alternative_text() {
    let mut sources = module_with_body(&block("image", "src = \"media/a.png\""));
    sources.insert_asset("media/a.png");
    refused_once(
        &sources,
        |p| matches!(p, Problem::ImageWithoutAltText { src } if src == "media/a.png"),
    );
}

#[test]
fn validator_refuses_a_markdown_image_without_alternative_text() {
    let mut sources = module_with_body("Look:\n\n![](media/a.png)\n");
    sources.insert_asset("media/a.png");
    let d = refused_once(&sources, |p| {
        matches!(p, Problem::ImageWithoutAltText { .. })
    });
    assert_eq!(d.line, Some(9));
}

#[test]
fn validator_refuses_an_image_whose_file_is_missing() {
    let sources = module_with_body(&block("image", "src = \"media/a.png\"\nalt = \"A chart\""));
    refused_once(
        &sources,
        |p| matches!(p, Problem::AssetMissing { path } if path == "media/a.png"),
    );
}

#[test]
fn validator_accepts_an_image_with_alternative_text() {
    let mut sources = module_with_body(&block("image", "src = \"media/a.png\"\nalt = \"A chart\""));
    sources.insert_asset("media/a.png");
    let loaded = loads(&sources);
    let blocks: Vec<_> = loaded.module.sections[0].blocks().collect();
    assert!(matches!(blocks[..], [Block::Image(i)] if i.alt == "A chart"));
}

const VIDEO: &str = "src = \"https://video.example/1\"\ntitle = \"A film\"\nduration = \"2:30\"";

#[test]
fn validator_refuses_a_video_without_a_transcript() {
    let sources = module_with_body(&block("video", VIDEO));
    refused_once(
        &sources,
        |p| matches!(p, Problem::MediaWithoutTranscript { kind, .. } if kind == "video"),
    );
}

#[test]
fn validator_refuses_audio_without_a_transcript() {
    let sources = module_with_body(&block("audio", VIDEO));
    refused_once(
        &sources,
        |p| matches!(p, Problem::MediaWithoutTranscript { kind, .. } if kind == "audio"),
    );
}

#[test]
fn validator_refuses_a_transcript_file_that_does_not_exist() {
    let sources = module_with_body(&block(
        "video",
        &format!("{VIDEO}\ntranscript_file = \"media/film.md\""),
    ));
    refused_once(
        &sources,
        |p| matches!(p, Problem::TranscriptFileMissing { path } if path == "media/film.md"),
    );
}

#[test]
fn validator_accepts_a_video_with_a_transcript_file() {
    let mut sources = module_with_body(&block(
        "video",
        &format!("{VIDEO}\ntranscript_file = \"media/film.md\""),
    ));
    sources.insert("media/film.md", "Narrator: words.");
    let loaded = loads(&sources);
    let Some(Block::Video(video)) = loaded.module.sections[0].blocks().next() else {
        panic!("expected a video");
    };
    assert_eq!(video.duration_seconds, 150);
    assert_eq!(video.transcript.text(), "Narrator: words.");
}

#[test]
fn validator_refuses_a_duration_that_is_not_minutes_and_seconds() {
    let sources = module_with_body(&block(
        "video",
        &VIDEO
            .replace("2:30", "2 minutes")
            .replace("\"A film\"", "\"A film\"\ntranscript = \"Words\""),
    ));
    refused_once(
        &sources,
        |p| matches!(p, Problem::InvalidDuration { value } if value == "2 minutes"),
    );
}

const CHECK: &str = r#"question = "Which law recognises children as victims in their own right?"
explanation = "Section 3 of the Domestic Abuse Act 2021."

[[options]]
text = "Domestic Abuse Act 2021"
correct = true

[[options]]
text = "Housing Act 1996"
"#;

#[test]
fn validator_accepts_a_complete_knowledge_check() {
    loads(&module_with_body(&block("knowledge-check", CHECK)));
}

#[test]
fn validator_refuses_a_knowledge_check_without_a_correct_answer() {
    let sources = module_with_body(&block(
        "knowledge-check",
        &CHECK.replace("correct = true", ""),
    ));
    refused_once(&sources, |p| {
        matches!(p, Problem::KnowledgeCheckWithoutCorrectAnswer)
    });
}

#[test]
fn validator_refuses_a_knowledge_check_without_an_explanation() {
    let sources = module_with_body(&block(
        "knowledge-check",
        &CHECK.replace(
            "explanation = \"Section 3 of the Domestic Abuse Act 2021.\"",
            "",
        ),
    ));
    refused_once(&sources, |p| {
        matches!(p, Problem::KnowledgeCheckWithoutExplanation)
    });
}

#[test]
fn validator_refuses_a_knowledge_check_with_one_option() {
    let one = CHECK
        .split("\n[[options]]\ntext = \"Housing")
        .next()
        .unwrap_or_default();
    let sources = module_with_body(&block("knowledge-check", one));
    refused_once(&sources, |p| {
        matches!(p, Problem::TooFewOptions { found: 1, .. })
    });
}

const SCENARIO: &str = r#"title = "A home visit"
situation = "You visit a family."
question = "What do you do?"

[[choices]]
text = "Ask the mother about abuse in front of her partner."
feedback = "This could put her at risk."

[[choices]]
text = "Find a time to speak to her alone."
feedback = "Yes: ask safely and alone."
best = true
"#;

#[test]
fn validator_accepts_a_complete_scenario() {
    loads(&module_with_body(&block("scenario", SCENARIO)));
}

#[test]
fn validator_refuses_a_scenario_choice_without_feedback() {
    let sources = module_with_body(&block(
        "scenario",
        &SCENARIO.replace("feedback = \"This could put her at risk.\"", ""),
    ));
    refused_once(&sources, |p| {
        matches!(p, Problem::ScenarioChoiceWithoutFeedback { choice: 1 })
    });
}

#[test]
fn validator_refuses_a_scenario_without_a_best_choice() {
    let sources = module_with_body(&block("scenario", &SCENARIO.replace("best = true", "")));
    refused_once(&sources, |p| {
        matches!(p, Problem::ScenarioWithoutBestChoice)
    });
}

const PANEL: &str = r#"[[pairs]]
say = "Mum is being harmed by Dad."
not = "There is a volatile relationship."
why = "Names who is doing what to whom."
"#;

#[test]
fn validator_refuses_a_say_this_panel_without_pairs() {
    let sources = module_with_body(&block("say-this", "title = \"Words\""));
    refused_once(&sources, |p| matches!(p, Problem::LanguagePanelEmpty));
}

#[test]
fn validator_refuses_a_say_this_pair_without_the_reason() {
    let sources = module_with_body(&block(
        "say-this",
        &PANEL.replace("why = \"Names who is doing what to whom.\"", ""),
    ));
    refused_once(&sources, |p| {
        matches!(p, Problem::LanguagePairIncomplete { pair: 1 })
    });
}

const LIVED: &str = r#"text = "Approved words."
attribution = "A member of an experts by experience group"
approved_by = "The group's facilitator"
consent_recorded = 2025-01-15
consent_reference = "EBE-2025-001"
"#;

#[test]
fn validator_accepts_lived_experience_with_recorded_consent() {
    let loaded = loads(&module_with_body(&block("lived-experience", LIVED)));
    let Some(Block::LivedExperience(LivedExperience::Content(c))) =
        loaded.module.sections[0].blocks().next()
    else {
        panic!("expected lived-experience content");
    };
    assert_eq!(c.consent_recorded.to_string(), "2025-01-15");
}

#[test]
fn validator_refuses_lived_experience_content_without_recorded_consent() {
    let sources = module_with_body(&block(
        "lived-experience",
        "text = \"Words from a survivor.\"",
    ));
    refused_once(&sources, |p| {
        matches!(p, Problem::LivedExperienceWithoutConsent { missing }
            if missing == "attribution, approved_by, consent_recorded, consent_reference")
    });
}

#[test]
fn validator_refuses_lived_experience_content_without_approval() {
    let sources = module_with_body(&block(
        "lived-experience",
        &LIVED.replace("approved_by = \"The group's facilitator\"\n", ""),
    ));
    refused_once(
        &sources,
        |p| matches!(p, Problem::LivedExperienceWithoutConsent { missing } if missing == "approved_by"),
    );
}

#[test]
fn validator_refuses_a_consent_date_written_as_text() {
    let sources = module_with_body(&block(
        "lived-experience",
        &LIVED.replace("2025-01-15", "\"15 January\""),
    ));
    refused_once(
        &sources,
        |p| matches!(p, Problem::InvalidDate { field } if field == "consent_recorded"),
    );
}

#[test]
fn validator_refuses_an_empty_lived_experience_slot_without_guidance() {
    let sources = module_with_body(&block("lived-experience", "title = \"In their words\""));
    refused_once(&sources, |p| {
        matches!(p, Problem::LivedExperienceSlotWithoutGuidance)
    });
}

#[test]
fn validator_accepts_an_empty_slot_with_guidance_and_lists_it() {
    let loaded = loads(&module_with_body(&block(
        "lived-experience",
        "guidance = \"Commission a short account of being asked about abuse.\"",
    )));
    assert_eq!(loaded.module.empty_slots().len(), 1);
    assert!(
        !loaded.module.sections[0]
            .blocks()
            .next()
            .is_some_and(Block::is_shown_to_respondents)
    );
}

#[test]
fn validator_refuses_a_reflection_without_a_prompt() {
    let sources = module_with_body(&block("reflection", "prompt = \"\""));
    refused_once(
        &sources,
        |p| matches!(p, Problem::EmptyField { field } if field == "prompt"),
    );
}

#[test]
fn validator_refuses_a_signpost_without_services() {
    let sources = module_with_body(&block("signpost", "title = \"Support\""));
    refused_once(&sources, |p| matches!(p, Problem::SignpostWithoutServices));
}

#[test]
fn validator_refuses_a_service_without_a_way_to_contact_it() {
    let sources = module_with_body(&block(
        "signpost",
        "title = \"Support\"\n[[services]]\nname = \"A helpline\"\n",
    ));
    refused_once(
        &sources,
        |p| matches!(p, Problem::ServiceWithoutContact { name } if name == "A helpline"),
    );
}

#[test]
fn validator_gives_local_services_a_default_title_and_fallback() {
    let loaded = loads(&module_with_body(&block("local-services", "")));
    let Some(Block::LocalServices(local)) = loaded.module.sections[0].blocks().next() else {
        panic!("expected local services");
    };
    assert_eq!(local.title, "Services in your area");
    assert!(!local.fallback.is_empty());
}

#[test]
fn validator_reports_every_error_not_just_the_first() {
    let body = format!(
        "{}{}{}",
        block("quiz", ""),
        block("image", "src = \"https://example.org/a.png\""),
        block("reflection", "prompt = \"\""),
    );
    let errors = refused(&module_with_body(&body));
    assert_eq!(errors.len(), 3, "{errors:#?}");
}

#[test]
fn validator_warns_when_the_declared_learning_time_is_far_below_the_estimate() {
    let mut sources = module_with_body(&"word ".repeat(2000));
    sources.insert(
        "module.toml",
        format!("{MANIFEST}\n[certificate]\nlearning_minutes = 5\n"),
    );
    let loaded = loads(&sources);
    let [warning] = &loaded.warnings[..] else {
        panic!("expected one warning, got {:?}", loaded.warnings);
    };
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(
        warning.problem,
        Problem::DeclaredTimeBelowEstimate {
            declared: 5,
            estimated: 11
        }
    );
    assert_eq!(warning.line, Some(13));
}

#[test]
fn validator_does_not_warn_when_the_declared_time_is_close_to_the_estimate() {
    let mut sources = module_with_body(&"word ".repeat(2000));
    sources.insert(
        "module.toml",
        format!("{MANIFEST}\n[certificate]\nlearning_minutes = 10\n"),
    );
    assert!(loads(&sources).warnings.is_empty());
}

#[test]
fn validator_warns_about_raw_html_top_level_headings_unlisted_files_and_unused_sources() {
    let mut sources = module_with_body("# Big\n\n<script>alert(1)</script>\n");
    sources.insert(
        "module.toml",
        format!("{MANIFEST}\n[[sources]]\nid = \"unused\"\ntitle = \"Unused\"\n"),
    );
    sources.insert("sections/draft.md", "draft");
    let loaded = loads(&sources);
    let problems: Vec<_> = loaded.warnings.iter().map(|w| &w.problem).collect();
    assert!(problems.contains(&&Problem::TopLevelHeading));
    assert!(problems.contains(&&Problem::RawHtml));
    assert!(problems.contains(&&Problem::SectionNotListed));
    assert!(problems.contains(&&Problem::UnusedSource {
        id: "unused".to_owned()
    }));
}

#[test]
fn refusals_display_every_error_with_its_place() {
    let err = load(&module_with_body(&block("quiz", ""))).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the module was refused: 1 error\n  sections/first.md:9:1: error: unknown block kind `quiz`: use one of {}",
            Block::KINDS.join(", ")
        )
    );
}
