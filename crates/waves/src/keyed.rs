//! The per-study secret and HMAC-SHA256 keyed hashes, with their one codec (hex).

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Minimum length of a secret, in bytes (the HMAC-SHA256 block's security level).
pub const SECRET_MIN_BYTES: usize = 32;

/// A per-study secret: the HMAC key of the linking codes, or the seed of an
/// allocation sequence. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

/// A secret that is too short to be one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a secret needs at least {SECRET_MIN_BYTES} bytes, got {got}")]
pub struct SecretError {
    /// Number of bytes given.
    pub got: usize,
}

impl Secret {
    /// Wraps random bytes (at least [`SECRET_MIN_BYTES`]) as a secret. The caller
    /// draws them from the operating system's generator when the study is made.
    ///
    /// # Errors
    /// [`SecretError`] when fewer than [`SECRET_MIN_BYTES`] bytes are given.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, SecretError> {
        if bytes.len() < SECRET_MIN_BYTES {
            return Err(SecretError { got: bytes.len() });
        }
        Ok(Self(bytes))
    }

    /// HMAC-SHA256 of the parts, each preceded by its length so that no two
    /// different lists of parts give the same message.
    pub(crate) fn hmac(&self, parts: &[&[u8]]) -> KeyedHash {
        // HMAC accepts keys of any length, so this cannot fail; fall back to an
        // empty-key MAC only to avoid a panic path.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        KeyedHash(mac.finalize().into_bytes().into())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// A keyed hash (HMAC-SHA256). Stored and shown as 64 lower-case hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyedHash([u8; 32]);

/// Text that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a keyed hash is 64 hex digits")]
pub struct KeyedHashParseError;

impl KeyedHash {
    /// The 32 bytes of the hash.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A uniformly distributed number in `0..bound` drawn from the hash by
    /// rejection (`None` only when no 8-byte window is accepted, which happens with
    /// probability below 2^-200 for any bound).
    pub(crate) fn below(&self, bound: u64) -> Option<u64> {
        if bound == 0 {
            return None;
        }
        let zone = u64::MAX - (u64::MAX % bound);
        self.0.chunks_exact(8).find_map(|chunk| {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let x = u64::from_be_bytes(word);
            (x < zone).then_some(x % bound)
        })
    }
}

impl fmt::Display for KeyedHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl FromStr for KeyedHash {
    type Err = KeyedHashParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        if bytes.len() != 64 {
            return Err(KeyedHashParseError);
        }
        let mut out = [0u8; 32];
        for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let hi = hex_value(pair[0]).ok_or(KeyedHashParseError)?;
            let lo = hex_value(pair[1]).ok_or(KeyedHashParseError)?;
            *slot = hi << 4 | lo;
        }
        Ok(Self(out))
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn secret(byte: u8) -> Secret {
        Secret::from_bytes(vec![byte; 32]).unwrap()
    }

    #[test]
    fn a_short_secret_is_refused_and_debug_never_prints_a_secret() {
        assert_eq!(
            Secret::from_bytes(vec![1; 31]),
            Err(SecretError { got: 31 })
        );
        assert_eq!(format!("{:?}", secret(7)), "Secret([redacted])");
    }

    #[test]
    fn length_prefixes_keep_different_part_lists_apart_and_the_key_matters() {
        let s = secret(1);
        assert_ne!(s.hmac(&[b"ab", b"c"]), s.hmac(&[b"a", b"bc"]));
        assert_eq!(s.hmac(&[b"ab", b"c"]), s.hmac(&[b"ab", b"c"]));
        assert_ne!(s.hmac(&[b"ab", b"c"]), secret(2).hmac(&[b"ab", b"c"]));
    }

    #[test]
    fn below_stays_in_range() {
        let s = secret(3);
        for i in 0u64..200 {
            let h = s.hmac(&[&i.to_be_bytes()]);
            assert!(h.below(7).is_some_and(|x| x < 7));
        }
        assert_eq!(s.hmac(&[b"x"]).below(0), None);
    }

    proptest! {
        #[test]
        fn keyed_hash_text_round_trips(bytes in proptest::array::uniform32(any::<u8>())) {
            let h = KeyedHash(bytes);
            prop_assert_eq!(h.to_string().parse::<KeyedHash>(), Ok(h));
        }

        #[test]
        fn keyed_hash_parses_only_what_it_prints(s in "[0-9a-fA-Fx]{60,68}") {
            match s.parse::<KeyedHash>() {
                Ok(h) => prop_assert_eq!(h.to_string(), s),
                Err(e) => prop_assert_eq!(e, KeyedHashParseError),
            }
        }
    }
}
