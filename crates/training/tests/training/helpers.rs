//! A minimal valid module to mutate, and assertions on refusals.

use skafada_training::{Diagnostic, Loaded, ModuleSources, Problem, load};

pub const MANIFEST: &str = r#"id = "example"
title = "An example module"
summary = "A module for tests."
audience = "Testers"
version = "1"
sections = ["first"]

[[sources]]
id = "act"
title = "Domestic Abuse Act 2021"
"#;

/// A section file with valid front matter and this body.
pub fn section(body: &str) -> String {
    format!(
        "+++\nid = \"first\"\ntitle = \"First\"\nknowledge = [\"knowledge-signs\"]\nsources = [\"act\"]\n+++\n{body}"
    )
}

/// A module whose only section has this body.
pub fn module_with_body(body: &str) -> ModuleSources {
    let mut sources = ModuleSources::new();
    sources.insert("module.toml", MANIFEST);
    sources.insert("sections/first.md", section(body));
    sources
}

/// A fenced block of this kind holding this TOML.
pub fn block(kind: &str, toml: &str) -> String {
    format!("Some text.\n\n```{kind}\n{toml}\n```\n\nMore text.\n")
}

pub fn loads(sources: &ModuleSources) -> Loaded {
    match load(sources) {
        Ok(loaded) => loaded,
        Err(refused) => panic!("expected the module to load, got {refused}"),
    }
}

/// The errors of a module that must be refused.
pub fn refused(sources: &ModuleSources) -> Vec<Diagnostic> {
    match load(sources) {
        Ok(_) => panic!("expected the module to be refused"),
        Err(refused) => {
            assert!(!refused.errors.is_empty());
            refused.errors
        }
    }
}

/// Asserts the module is refused with exactly one error matching `expected`,
/// and returns it.
pub fn refused_once(sources: &ModuleSources, expected: impl Fn(&Problem) -> bool) -> Diagnostic {
    let errors = refused(sources);
    let rendered: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 1, "expected one error, got {rendered:#?}");
    assert!(
        expected(&errors[0].problem),
        "unexpected error {}",
        rendered[0]
    );
    errors[0].clone()
}
