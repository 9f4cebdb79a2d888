//! Tokens, resume codes, verification codes and each study's linking key: random values
//! from the operating system's CSPRNG, stored as SHA-256 hashes where they grant access.

use crate::StudyId;
use std::fmt;

use sha2::{Digest, Sha256};

use crate::StoreError;

const TOKEN_ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
/// Capitals and digits without the look-alikes 0, O, 1 and I, for codes people copy.
const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn random_bytes<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| StoreError::Random)?;
    Ok(bytes)
}

/// Maps bytes to symbols of a 32-letter alphabet, 5 bits each (the last symbol takes
/// the remaining bits).
fn encode(bytes: &[u8], alphabet: &[u8; 32]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(alphabet[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(alphabet[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// A random identifier or token: 160 bits from the CSPRNG, 32 lowercase characters.
pub fn random_token() -> Result<String, StoreError> {
    Ok(encode(&random_bytes::<20>()?, TOKEN_ALPHABET))
}

/// The SHA-256 of a secret, in hex: what the store keeps instead of the secret.
pub fn hash_secret(secret: &str) -> String {
    lower_hex(&Sha256::digest(secret.as_bytes()))
}

/// Bytes as lowercase hexadecimal.
fn lower_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    out
}

/// An anonymous resume code: 20 symbols (100 bits), shown as five groups of four.
///
/// Only its hash is stored. Its `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct ResumeCode(String);

impl ResumeCode {
    const LENGTH: usize = 20;

    /// A new random code.
    pub fn generate() -> Result<ResumeCode, StoreError> {
        let code = encode(&random_bytes::<13>()?, CODE_ALPHABET);
        Ok(ResumeCode(code.chars().take(Self::LENGTH).collect()))
    }

    /// Reads a code as a person typed it: case, spaces and hyphens are ignored. `None`
    /// if it cannot be a code.
    pub fn parse(typed: &str) -> Option<ResumeCode> {
        let code: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let valid = code.chars().count() == Self::LENGTH
            && code.bytes().all(|b| CODE_ALPHABET.contains(&b));
        valid.then_some(ResumeCode(code))
    }

    /// The code to show, in groups of four: `ABCD-EFGH-JKLM-NPQR-STUV`.
    pub fn display(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars
            .chunks(4)
            .map(|group| group.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// The stored hash.
    pub fn hash(&self) -> String {
        hash_secret(&self.0)
    }
}

impl fmt::Debug for ResumeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResumeCode(..)")
    }
}

/// A study's linking key: 32 random bytes, the HMAC key under which the linking codes
/// of its respondents are hashed (`skafada_waves::Secret`).
///
/// It is kept in `study_secrets`, apart from the study's content and responses, and is
/// never exported or shown. Its `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkingKey([u8; 32]);

impl LinkingKey {
    /// The key's bytes, to hand to `skafada_waves::Secret::from_bytes`.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_vec()
    }

    fn to_hex(&self) -> String {
        lower_hex(&self.0)
    }

    fn from_hex(text: &str) -> Option<LinkingKey> {
        fn digit(c: u8) -> Option<u8> {
            match c {
                b'0'..=b'9' => Some(c - b'0'),
                b'a'..=b'f' => Some(c - b'a' + 10),
                _ => None,
            }
        }
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut key = [0u8; 32];
        for (slot, pair) in key.iter_mut().zip(bytes.chunks_exact(2)) {
            *slot = digit(pair[0])? << 4 | digit(pair[1])?;
        }
        Some(LinkingKey(key))
    }
}

impl fmt::Debug for LinkingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkingKey(..)")
    }
}

/// The `study_secrets` purpose of the linking key.
const LINKING: &str = "linking";

/// Draws a new linking key for a study and stores it, inside the caller's transaction.
pub(crate) async fn insert_linking_secret(
    tx: &mut crate::write::Write<'_>,
    study_id: &StudyId,
) -> Result<LinkingKey, StoreError> {
    insert_secret(tx, study_id, LINKING).await
}

/// Draws a new secret for a study and purpose, inside the caller's transaction.
async fn insert_secret(
    tx: &mut crate::write::Write<'_>,
    study_id: &StudyId,
    purpose: &str,
) -> Result<LinkingKey, StoreError> {
    let key = LinkingKey(random_bytes::<32>()?);
    sqlx::query("INSERT INTO study_secrets (study_id, purpose, secret) VALUES ($1, $2, $3)")
        .bind(study_id.as_str())
        .bind(purpose)
        .bind(key.to_hex())
        .execute(&mut **tx)
        .await?;
    Ok(key)
}

/// The `study_secrets` purpose of the allocation seed.
const ALLOCATION: &str = "allocation";

impl crate::Store {
    /// The study's linking key. A study made before keys were drawn gets one now, so that
    /// every study has exactly one from its first linking code on.
    #[tracing::instrument(skip_all)]
    pub async fn linking_key(&self, study_id: &StudyId) -> Result<LinkingKey, StoreError> {
        self.study_secret(study_id, LINKING).await
    }

    /// The study's allocation seed: 32 random bytes, drawn the first time a unit is
    /// allocated to a delivery arm and kept, like the linking key, apart from the study's
    /// content and responses, never exported or shown (`skafada_waves::allocation`).
    #[tracing::instrument(skip_all)]
    pub async fn allocation_seed(&self, study_id: &StudyId) -> Result<LinkingKey, StoreError> {
        self.study_secret(study_id, ALLOCATION).await
    }

    /// A study's secret for a purpose, drawn on first use.
    async fn study_secret(
        &self,
        study_id: &StudyId,
        purpose: &str,
    ) -> Result<LinkingKey, StoreError> {
        if let Some(key) = stored_secret(&self.pool, study_id, purpose).await? {
            return Ok(key);
        }
        let mut tx = self.write().await?;
        // Another process may have drawn it while this one waited.
        let key = match stored_secret(&mut *tx, study_id, purpose).await? {
            Some(key) => key,
            None => insert_secret(&mut tx, study_id, purpose).await?,
        };
        tx.commit().await?;
        Ok(key)
    }
}

async fn stored_secret<'e, E>(
    executor: E,
    study_id: &StudyId,
    purpose: &str,
) -> Result<Option<LinkingKey>, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    use sqlx::Row as _;
    let Some(row) =
        sqlx::query("SELECT secret FROM study_secrets WHERE study_id = $1 AND purpose = $2")
            .bind(study_id.as_str())
            .bind(purpose)
            .fetch_optional(executor)
            .await?
    else {
        return Ok(None);
    };
    let text: String = row.try_get("secret")?;
    LinkingKey::from_hex(&text).map(Some).ok_or_else(|| {
        StoreError::Corrupt(format!("a study's {purpose} secret is not 64 hex digits"))
    })
}

/// A certificate verification code: 15 symbols (75 bits) in groups of five.
pub(crate) fn verification_code() -> Result<String, StoreError> {
    let code: String = encode(&random_bytes::<10>()?, CODE_ALPHABET)
        .chars()
        .take(15)
        .collect();
    normalise_verification_code(&code).ok_or(StoreError::Random)
}

/// A verification code as printed, from one as typed: `ABCDE-FGHJK-LMNPQ`.
pub(crate) fn normalise_verification_code(typed: &str) -> Option<String> {
    let code: Vec<char> = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = code.len() == 15
        && code
            .iter()
            .all(|c| c.is_ascii() && CODE_ALPHABET.contains(&(*c as u8)));
    valid.then(|| {
        code.chunks(5)
            .map(|group| group.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn resume_codes_read_back_whatever_the_case_and_grouping() {
        let code = ResumeCode::generate().unwrap();
        let shown = code.display();
        assert_eq!(shown.len(), 24);
        assert_eq!(ResumeCode::parse(&shown.to_lowercase()), Some(code.clone()));
        assert_eq!(ResumeCode::parse(&shown.replace('-', " ")), Some(code));
        assert_eq!(ResumeCode::parse("not a code"), None);
    }

    #[test]
    fn tokens_are_32_characters_and_differ() {
        let a = random_token().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, random_token().unwrap());
    }

    #[test]
    fn linking_keys_read_back_from_their_hex_and_debug_never_prints_them() {
        let key = LinkingKey(random_bytes::<32>().unwrap());
        assert_eq!(LinkingKey::from_hex(&key.to_hex()), Some(key.clone()));
        assert_eq!(LinkingKey::from_hex("00"), None);
        assert_eq!(LinkingKey::from_hex(&"g".repeat(64)), None);
        assert_eq!(format!("{key:?}"), "LinkingKey(..)");
    }

    #[test]
    fn verification_codes_are_printed_in_groups_of_five() {
        let code = verification_code().unwrap();
        assert_eq!(code.len(), 17);
        assert_eq!(
            normalise_verification_code(&code.to_lowercase()),
            Some(code)
        );
    }
}
