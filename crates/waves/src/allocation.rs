//! Allocation to delivery arms: declared as data, reproducible from a secret seed,
//! balanced in permuted blocks, concealed.
//!
//! ```toml
//! [allocation]
//! unit = "respondent"          # or "site"
//! block-multipliers = [1, 2]   # each block holds 1x or 2x the ratio sum, at random
//!
//! [[allocation.arm]]
//! id = "online"
//! name = "Online, self-paced"
//! ratio = 1
//!
//! [[allocation.arm]]
//! id = "group"
//! name = "Group session with a facilitator"
//! ratio = 2
//! ```
//!
//! The sequence is a list of permuted blocks for each stratum (the whole study when
//! sites are allocated; each site when respondents are). Every block holds each arm
//! exactly `ratio x multiplier` times, in an order drawn from HMAC-SHA256 under the
//! study's secret seed. The seed is not in the study file: whoever holds it can
//! recompute every allocation; nobody else can predict the next one (beyond what
//! the block's balance gives away, which random block sizes blur).

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::Secret;

const DOMAIN: &[u8] = b"skafada-allocation-v1";

/// The most units one stratum's sequence allocates (ten million: more sites than exist,
/// more respondents than any site has staff).
pub const MAX_UNITS: u64 = 10_000_000;

/// What is allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// Whole sites, in the order they join the study (one sequence for the study).
    Site,
    /// Respondents, in the order they start, in one sequence per site
    /// (stratified by site).
    Respondent,
}

/// One delivery arm.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Arm {
    /// Identifier, used in the data and the analysis.
    pub id: String,
    /// Name shown to researchers.
    pub name: String,
    /// Relative share of allocations (1 to 100).
    pub ratio: u32,
}

/// The `[allocation]` table of a study file, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationSpec {
    unit: Unit,
    arms: Vec<Arm>,
    multipliers: Vec<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SpecDraft {
    unit: Unit,
    #[serde(default = "single")]
    block_multipliers: Vec<u32>,
    #[serde(default)]
    arm: Vec<Arm>,
}

fn single() -> Vec<u32> {
    vec![1]
}

#[derive(Debug, Deserialize)]
struct FileDraft {
    allocation: Option<SpecDraft>,
}

/// An `[allocation]` table that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AllocationError {
    /// The TOML does not parse or has the wrong shape.
    #[error("the allocation cannot be read: {0}")]
    Toml(String),
    /// There is no `[allocation]` table.
    #[error("the study file has no [allocation] table")]
    Missing,
    /// Fewer than two arms, or more than ten.
    #[error("an allocation needs 2 to 10 arms, found {0}")]
    ArmCount(usize),
    /// Two arms share an identifier.
    #[error("two arms have the id {0:?}")]
    DuplicateArm(String),
    /// A ratio of 0 or above 100.
    #[error("arm {id:?} has ratio {ratio}; give 1 to 100")]
    BadRatio {
        /// The arm.
        id: String,
        /// The ratio given.
        ratio: u32,
    },
    /// No block multipliers, or one of 0 or above 10.
    #[error("block-multipliers must be 1 to 10 values from 1 to 10")]
    BadMultipliers,
}

impl AllocationSpec {
    /// Reads the `[allocation]` table of a study file.
    ///
    /// # Errors
    /// [`AllocationError`] for a file without a usable `[allocation]` table.
    pub fn parse(study_toml: &str) -> Result<Self, AllocationError> {
        let file: FileDraft =
            toml::from_str(study_toml).map_err(|e| AllocationError::Toml(e.to_string()))?;
        let draft = file.allocation.ok_or(AllocationError::Missing)?;
        if !(2..=10).contains(&draft.arm.len()) {
            return Err(AllocationError::ArmCount(draft.arm.len()));
        }
        let mut seen = BTreeSet::new();
        for arm in &draft.arm {
            if !seen.insert(arm.id.as_str()) {
                return Err(AllocationError::DuplicateArm(arm.id.clone()));
            }
            if !(1..=100).contains(&arm.ratio) {
                return Err(AllocationError::BadRatio {
                    id: arm.id.clone(),
                    ratio: arm.ratio,
                });
            }
        }
        let m = &draft.block_multipliers;
        if m.is_empty() || m.len() > 10 || m.iter().any(|x| !(1..=10).contains(x)) {
            return Err(AllocationError::BadMultipliers);
        }
        Ok(Self {
            unit: draft.unit,
            arms: draft.arm,
            multipliers: draft.block_multipliers,
        })
    }

    /// What is allocated.
    pub fn unit(&self) -> Unit {
        self.unit
    }

    /// The arms, as declared.
    pub fn arms(&self) -> &[Arm] {
        &self.arms
    }

    /// Sum of the ratios: the size of a block with multiplier 1.
    pub fn ratio_sum(&self) -> u64 {
        self.arms.iter().map(|a| u64::from(a.ratio)).sum()
    }

    /// Block `number` of `stratum`'s sequence, as arm indices in allocation order.
    /// `stratum` is `""` when sites are allocated and the site's id when respondents
    /// are.
    pub fn block(&self, seed: &Secret, stratum: &str, number: u64) -> Vec<usize> {
        let multiplier = self.multiplier(seed, stratum, number);
        let mut block: Vec<usize> = self
            .arms
            .iter()
            .enumerate()
            .flat_map(|(i, a)| std::iter::repeat_n(i, (a.ratio * multiplier) as usize))
            .collect();
        // Fisher-Yates, each draw from its own HMAC.
        for j in (1..block.len()).rev() {
            let h = seed.hmac(&[
                DOMAIN,
                b"shuffle",
                stratum.as_bytes(),
                &number.to_be_bytes(),
                &(j as u64).to_be_bytes(),
            ]);
            let k = h.below(j as u64 + 1).unwrap_or(0) as usize;
            block.swap(j, k);
        }
        block
    }

    fn multiplier(&self, seed: &Secret, stratum: &str, number: u64) -> u32 {
        let h = seed.hmac(&[DOMAIN, b"size", stratum.as_bytes(), &number.to_be_bytes()]);
        let pick = h.below(self.multipliers.len() as u64).unwrap_or(0) as usize;
        self.multipliers.get(pick).copied().unwrap_or(1)
    }

    /// The arm of the unit at position `index` (0-based, in the order units are
    /// allocated) in `stratum`'s sequence. `None` only for an index at or beyond
    /// [`MAX_UNITS`]: finding a block takes one HMAC per earlier block.
    pub fn arm_for(&self, seed: &Secret, stratum: &str, index: u64) -> Option<&Arm> {
        if index >= MAX_UNITS {
            return None;
        }
        let mut start = 0u64;
        let mut number = 0u64;
        loop {
            let size = u64::from(self.multiplier(seed, stratum, number)) * self.ratio_sum();
            if index < start + size {
                let block = self.block(seed, stratum, number);
                let arm = block.get((index - start) as usize).copied()?;
                return self.arms.get(arm);
            }
            start += size;
            number += 1;
        }
    }

    /// The first `len` allocations of `stratum`'s sequence (at most [`MAX_UNITS`]),
    /// as arm indices.
    pub fn sequence(&self, seed: &Secret, stratum: &str, len: usize) -> Vec<usize> {
        let len = len.min(MAX_UNITS as usize);
        let mut out = Vec::with_capacity(len);
        let mut number = 0;
        while out.len() < len {
            out.extend(self.block(seed, stratum, number));
            number += 1;
        }
        out.truncate(len);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STUDY: &str = r#"
[allocation]
unit = "respondent"
block-multipliers = [1, 2, 3]

[[allocation.arm]]
id = "online"
name = "Online, self-paced"
ratio = 1

[[allocation.arm]]
id = "group"
name = "Group session"
ratio = 2
"#;

    fn spec() -> AllocationSpec {
        AllocationSpec::parse(STUDY).unwrap()
    }

    fn seed(byte: u8) -> Secret {
        Secret::from_bytes(vec![byte; 32]).unwrap()
    }

    #[test]
    fn the_skafada_study_allocates_sites_to_three_arms_in_blocks_of_three_or_six() {
        let s = AllocationSpec::parse(include_str!("../../../waves/skafada.toml")).unwrap();
        assert_eq!(s.unit(), Unit::Site);
        assert_eq!(s.arms().len(), 3);
        let sizes: BTreeSet<usize> = (0..40).map(|n| s.block(&seed(4), "", n).len()).collect();
        assert_eq!(sizes, BTreeSet::from([3, 6]));
    }

    #[test]
    fn the_same_seed_gives_the_same_allocation() {
        let s = spec();
        assert_eq!(
            s.sequence(&seed(1), "site-a", 300),
            s.sequence(&seed(1), "site-a", 300)
        );
        let by_index: Vec<&str> = (0..60)
            .map(|i| s.arm_for(&seed(1), "site-a", i).unwrap().id.as_str())
            .collect();
        let by_sequence: Vec<&str> = s
            .sequence(&seed(1), "site-a", 60)
            .into_iter()
            .map(|i| s.arms()[i].id.as_str())
            .collect();
        assert_eq!(by_index, by_sequence);
    }

    #[test]
    fn different_seeds_and_different_strata_give_different_sequences() {
        let s = spec();
        let a = s.sequence(&seed(1), "site-a", 60);
        assert_ne!(a, s.sequence(&seed(2), "site-a", 60));
        assert_ne!(a, s.sequence(&seed(1), "site-b", 60));
    }

    #[test]
    fn every_block_holds_each_arm_exactly_its_ratio_times_the_block_multiplier() {
        let s = spec();
        let mut sizes = BTreeSet::new();
        for stratum in ["site-a", "site-b", ""] {
            for number in 0..200 {
                let block = s.block(&seed(9), stratum, number);
                let size = block.len() as u64;
                assert_eq!(size % s.ratio_sum(), 0);
                let multiplier = size / s.ratio_sum();
                assert!((1..=3).contains(&multiplier));
                sizes.insert(multiplier);
                for (i, arm) in s.arms().iter().enumerate() {
                    let count = block.iter().filter(|&&x| x == i).count() as u64;
                    assert_eq!(count, u64::from(arm.ratio) * multiplier);
                }
            }
        }
        assert_eq!(sizes.len(), 3, "every declared block size occurs");
    }

    #[test]
    fn block_orders_vary_so_the_next_allocation_is_not_fixed_by_position() {
        let s = spec();
        let firsts: BTreeSet<usize> = (0..50).map(|n| s.block(&seed(5), "x", n)[0]).collect();
        assert_eq!(firsts.len(), 2);
    }

    #[test]
    fn an_index_beyond_the_largest_sequence_has_no_arm_rather_than_a_long_walk() {
        let s = spec();
        assert!(s.arm_for(&seed(1), "x", 100_000).is_some());
        assert_eq!(s.arm_for(&seed(1), "x", MAX_UNITS), None);
        assert_eq!(s.arm_for(&seed(1), "x", u64::MAX), None);
    }

    proptest::proptest! {
        #[test]
        fn any_study_file_text_is_parsed_or_refused_with_a_message(text in "\\PC{0,200}") {
            if let Err(e) = AllocationSpec::parse(&text) {
                proptest::prop_assert!(!e.to_string().is_empty());
            }
        }
    }

    #[test]
    fn unusable_allocations_are_refused_with_the_reason() {
        assert_eq!(
            AllocationSpec::parse("x = 1"),
            Err(AllocationError::Missing)
        );
        let one_arm = "[allocation]\nunit = \"site\"\n[[allocation.arm]]\nid = \"a\"\nname = \"A\"\nratio = 1\n";
        assert_eq!(
            AllocationSpec::parse(one_arm),
            Err(AllocationError::ArmCount(1))
        );
        assert!(matches!(
            AllocationSpec::parse(&STUDY.replace("ratio = 2", "ratio = 0")),
            Err(AllocationError::BadRatio { ratio: 0, .. })
        ));
        assert_eq!(
            AllocationSpec::parse(&STUDY.replace("[1, 2, 3]", "[]")),
            Err(AllocationError::BadMultipliers)
        );
        assert_eq!(
            AllocationSpec::parse(&STUDY.replace("\"group\"", "\"online\"")),
            Err(AllocationError::DuplicateArm("online".into()))
        );
        assert!(matches!(
            AllocationSpec::parse(&STUDY.replace("\"respondent\"", "\"team\"")),
            Err(AllocationError::Toml(_))
        ));
    }
}
