//! The in-memory files of a module, as the caller read them.

use std::collections::{BTreeMap, BTreeSet};

/// The files of one module folder, read by the caller (the CLI or the web
/// server); this crate never touches the file system.
///
/// Paths are relative to the module folder and use `/` (for example
/// `module.toml`, `sections/signs.md`, `media/intro.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleSources {
    texts: BTreeMap<String, String>,
    assets: BTreeSet<String>,
}

impl ModuleSources {
    /// No files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text file (`module.toml`, a section, a transcript), replacing
    /// any file at the same path.
    pub fn insert(&mut self, path: impl Into<String>, contents: impl Into<String>) -> &mut Self {
        self.texts.insert(normalise(&path.into()), contents.into());
        self
    }

    /// Records that a binary asset (an image, a video) exists at this path.
    /// Its contents are not needed; blocks that name a local file are
    /// checked against these paths.
    pub fn insert_asset(&mut self, path: impl Into<String>) -> &mut Self {
        self.assets.insert(normalise(&path.into()));
        self
    }

    /// The text file at this path.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.texts.get(&normalise(path)).map(String::as_str)
    }

    /// Whether an asset or a text file exists at this path.
    pub fn contains(&self, path: &str) -> bool {
        let path = normalise(path);
        self.assets.contains(&path) || self.texts.contains_key(&path)
    }

    /// The text files, by path.
    pub fn texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.texts.iter().map(|(p, c)| (p.as_str(), c.as_str()))
    }
}

impl<P: Into<String>, C: Into<String>> FromIterator<(P, C)> for ModuleSources {
    fn from_iter<I: IntoIterator<Item = (P, C)>>(iter: I) -> Self {
        let mut sources = ModuleSources::new();
        for (path, contents) in iter {
            sources.insert(path, contents);
        }
        sources
    }
}

fn normalise(path: &str) -> String {
    path.replace('\\', "/").trim_start_matches("./").to_owned()
}
