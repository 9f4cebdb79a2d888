//! The loader never panics, whatever it is given.

use proptest::prelude::*;
use skafada_training::{ModuleSources, load, render_markdown};

use crate::prototype::{prototype_dir, read_module};

fn prototype_files() -> Vec<(String, String)> {
    read_module(&prototype_dir())
        .texts()
        .map(|(p, c)| (p.to_owned(), c.to_owned()))
        .collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(prop::sample::Index),
    FlipByte(prop::sample::Index, u8),
    Insert(prop::sample::Index, String),
    Replace(String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::FlipByte(i, b)),
        (
            any::<prop::sample::Index>(),
            "(\\+\\+\\+|```|[a-z-]{1,12}|\\n|=|\"|\\[\\[|\\]|:|\\PC){0,8}"
        )
            .prop_map(|(i, s)| Mutation::Insert(i, s)),
        ".{0,200}".prop_map(Mutation::Replace),
    ]
}

fn apply(contents: &str, m: &Mutation) -> String {
    let mut bytes = contents.as_bytes().to_vec();
    match m {
        Mutation::Truncate(i) => {
            bytes.truncate(i.index(bytes.len() + 1));
        }
        Mutation::FlipByte(i, mask) => {
            if !bytes.is_empty() {
                let at = i.index(bytes.len());
                bytes[at] ^= mask;
            }
        }
        Mutation::Insert(i, s) => {
            let at = i.index(bytes.len() + 1);
            bytes.splice(at..at, s.bytes());
        }
        Mutation::Replace(s) => bytes = s.clone().into_bytes(),
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn loading_a_mutated_prototype_never_panics(
        mutations in prop::collection::vec((any::<prop::sample::Index>(), mutation()), 1..4)
    ) {
        let mut files = prototype_files();
        for (which, m) in &mutations {
            let i = which.index(files.len());
            files[i].1 = apply(&files[i].1, m);
        }
        let sources: ModuleSources = files.into_iter().collect();
        // Ok or Err, never a panic; a refusal always says why.
        if let Err(refused) = load(&sources) {
            prop_assert!(!refused.errors.is_empty());
        }
    }

    #[test]
    fn loading_arbitrary_files_never_panics(
        manifest in ".{0,300}",
        section in ".{0,300}",
        id in "[a-z]{1,8}",
    ) {
        let mut sources = ModuleSources::new();
        sources.insert("module.toml", format!("id = \"m\"\ntitle = \"t\"\nsummary = \"s\"\naudience = \"a\"\nversion = \"1\"\nsections = [\"{id}\"]\n{manifest}"));
        sources.insert(format!("sections/{id}.md"), format!("+++\nid = \"{id}\"\ntitle = \"t\"\n+++\n{section}"));
        let _ = load(&sources);
        let _ = render_markdown(&section);
    }
}
