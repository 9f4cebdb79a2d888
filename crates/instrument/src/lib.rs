//! The survey instrument: what a study asks, in what order, on what scales.
//!
//! An instrument is a TOML file (see `docs/instrument-format.md`). This crate parses it
//! ([`load::parse`]), validates it ([`load::Draft::validate`]), evaluates its routing
//! ([`Instrument::route`]) and renders proof-reading views ([`Instrument::markdown_view`],
//! [`Instrument::json_view`]).
//!
//! It also owns the study's values that every crate shares: how an answer is stored
//! ([`stored`]), the typed ids of studies, sites, respondents and responses ([`ids`]) and
//! the UK calendar day ([`Day`]).
//!
//! Architecture invariant: this crate does no I/O. Callers read files and pass text in,
//! so the same code serves the CLI, the web server and the tests.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod day;
pub mod ids;
pub mod load;
pub mod model;
pub mod participant;
pub mod routing;
pub mod stored;
pub mod view;

pub use day::{Day, NotADay};
pub use ids::{RespondentId, ResponseId, SiteId, StudyId};
pub use load::{
    CLOSES_ON, Draft, LoadError, Location, MONTH_NAMES, Problem, ProblemKind, load, parse,
};
pub use model::{
    Choice, Condition, EndRule, Instrument, Item, ItemKind, MissingKind, Page, Phase, Row, Scale,
    Specify, Statement,
};
pub use participant::{ParticipantError, ParticipantInformation};
pub use routing::{Answer, Answers, Route};
