//! The study's identifiers, each its own type: a site's id cannot be passed where a
//! study's is meant, nor a respondent's where a response's is.
//!
//! An id is opaque text made by the store (a random token or a slug). These types only
//! keep ids apart; they do not check their form, since an id is never typed by a user
//! except in a URL, where an unknown id is simply "not found".

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id written as `id`.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as text, as stored and as written in URLs.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id's text, taken out.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == &other.0
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

id_type!(
    /// A study: one run of the survey, training and follow-up, with its sites.
    StudyId
);
id_type!(
    /// A site (local authority) of a study, with its own link.
    SiteId
);
id_type!(
    /// A respondent: one person's journey through a study, known by no name, email or
    /// address. Their pre- and post-training responses share it.
    RespondentId
);
id_type!(
    /// One response: a respondent's answers to one survey (pre-training, post-training
    /// or a follow-up wave).
    ResponseId
);

#[cfg(test)]
mod tests {
    use super::{SiteId, StudyId};

    #[test]
    fn an_id_reads_and_writes_as_its_text() {
        let study = StudyId::new("skafada-2024");
        assert_eq!(study.as_str(), "skafada-2024");
        assert_eq!(study.to_string(), "skafada-2024");
        assert_eq!(study, "skafada-2024");
        assert_eq!(
            serde_json::to_string(&study).ok().as_deref(),
            Some("\"skafada-2024\"")
        );
        let read: Result<SiteId, _> = serde_json::from_str("\"a1b2\"");
        assert_eq!(read.ok(), Some(SiteId::new("a1b2")));
    }

    #[test]
    fn ids_are_found_in_maps_by_their_text() {
        let sites: std::collections::BTreeMap<SiteId, u32> = [(SiteId::new("a"), 1)].into();
        assert_eq!(sites.get("a"), Some(&1));
    }
}
