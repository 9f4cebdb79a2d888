//! Measurement waves: linking a respondent's answers across waves without identity,
//! and allocating sites or respondents to delivery arms.
//!
//! * [`sgic`]: the self-generated identification code. The questions are data
//!   (`[[sgic.question]]` in the study file); answers are normalised, and the code is
//!   kept only as HMAC-SHA256 keyed hashes under a per-study secret. [`sgic::link`]
//!   pairs later-wave records with baseline records at the same site by the declared
//!   match rule, leaving ambiguous codes unlinked and counted.
//! * [`allocation`]: delivery arms with ratios, allocated in permuted blocks from a
//!   secret seed, so the sequence is reproducible by whoever holds the seed and
//!   unpredictable to everyone else.
//! * [`wave`]: the follow-up waves beyond the surveys before and after the training
//!   (`[[wave]]`), read with the linking code that pairs them with the baseline.
//!
//! `docs/linking-waves.md` documents the normalisation, the match rules, the
//! simulated match and false-match rates, and the allocation.
//!
//! Architecture invariant: this crate does no I/O. The caller reads the study file's
//! text and the study's secrets, and stores what this crate returns.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod allocation;
mod keyed;
pub mod sgic;
pub mod wave;

pub use keyed::{KeyedHash, KeyedHashParseError, Secret, SecretError};
