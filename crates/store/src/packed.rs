//! A response's answers, packed into one value of its `responses` row.
//!
//! Each answer is a variable key and the value in the answer codec's stored form
//! (`skafada_instrument::stored`). The key is a small integer from the
//! `answer_variables` table, which names each variable once for the whole database, so
//! that no response repeats a variable's name or its own id per answer. The answers are
//! packed with postcard in key order: a varint count, then per answer a varint key, a
//! varint length and the value's UTF-8 bytes. A completed pre-training response takes
//! about 600 bytes this way; as a row per answer it took about 17 KB.
//!
//! The names are cached in the process ([`VariableNames`]): a key is added once, the
//! first time any response stores that variable, and is never changed or reused.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use sqlx::Row;

use crate::{Store, StoreError};

/// Packs answers (variable key to stored value) into the `responses.answers` value.
pub(crate) fn pack(answers: &BTreeMap<u32, String>) -> Result<Vec<u8>, StoreError> {
    let entries: Vec<(u32, &str)> = answers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    postcard::to_allocvec(&entries).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The answers packed in a `responses.answers` value, borrowed from it, in key order.
/// No value (a response saved before any answer) is no answers.
pub fn unpack(packed: Option<&[u8]>) -> Result<Vec<(u32, &str)>, StoreError> {
    match packed {
        None => Ok(Vec::new()),
        Some(bytes) => postcard::from_bytes(bytes)
            .map_err(|e| StoreError::Corrupt(format!("a response's packed answers: {e}"))),
    }
}

/// As [`unpack`], owning the values: for a page save that changes some of them.
pub(crate) fn unpack_owned(packed: Option<&[u8]>) -> Result<BTreeMap<u32, String>, StoreError> {
    Ok(unpack(packed)?
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect())
}

/// The variables answers are stored under, by key and by name.
#[derive(Debug, Default)]
pub struct VariableNames {
    by_name: HashMap<String, u32>,
    by_key: Vec<Option<String>>,
}

impl VariableNames {
    /// The name of the variable stored under `key`.
    pub fn name(&self, key: u32) -> Option<&str> {
        self.by_key
            .get(usize::try_from(key).ok()?)
            .and_then(|n| n.as_deref())
    }

    /// The key `name` is stored under, if any answer has been stored under it.
    pub fn key(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    /// The largest key plus one: a table indexed by key needs this many slots.
    pub fn key_count(&self) -> usize {
        self.by_key.len()
    }

    fn insert(&mut self, key: u32, name: String) {
        let Ok(index) = usize::try_from(key) else {
            return;
        };
        if self.by_key.len() <= index {
            self.by_key.resize(index + 1, None);
        }
        self.by_key[index] = Some(name.clone());
        self.by_name.insert(name, key);
    }
}

/// The process's copy of `answer_variables`, replaced whole when it grows.
#[derive(Debug, Default)]
pub(crate) struct VariableCache(RwLock<Arc<VariableNames>>);

impl VariableCache {
    fn current(&self) -> Arc<VariableNames> {
        match self.0.read() {
            Ok(names) => names.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn replace(&self, names: VariableNames) -> Arc<VariableNames> {
        let names = Arc::new(names);
        match self.0.write() {
            Ok(mut slot) => *slot = names.clone(),
            Err(poisoned) => *poisoned.into_inner() = names.clone(),
        }
        names
    }
}

impl Store {
    /// The variables answers are stored under, read from the database when a key is
    /// not known yet (another process may have added it).
    pub async fn variable_names(&self) -> Result<Arc<VariableNames>, StoreError> {
        let names = self.variables.current();
        if names.key_count() > 0 {
            return Ok(names);
        }
        self.reload_variable_names().await
    }

    /// Reads every variable name again: when a packed answer has a key that
    /// [`Store::variable_names`] did not know (another process stored it first).
    pub async fn reload_variable_names(&self) -> Result<Arc<VariableNames>, StoreError> {
        let rows = sqlx::query("SELECT id, name FROM answer_variables")
            .fetch_all(&self.pool)
            .await?;
        let mut names = VariableNames::default();
        for row in &rows {
            let key: i64 = row.try_get("id")?;
            let key = u32::try_from(key)
                .map_err(|_| StoreError::Corrupt(format!("answer variable key {key}")))?;
            names.insert(key, row.try_get("name")?);
        }
        Ok(self.variables.replace(names))
    }

    /// The keys of `names`, adding the ones never stored before (in a transaction of
    /// their own: a name is not personal data, and a key added for a page that then
    /// fails to save is simply unused). Call it before taking the write turn.
    pub(crate) async fn variable_keys(
        &self,
        wanted: &[&str],
    ) -> Result<HashMap<String, u32>, StoreError> {
        let mut known = self.variable_names().await?;
        let missing: Vec<&str> = wanted
            .iter()
            .copied()
            .filter(|n| known.key(n).is_none())
            .collect();
        if !missing.is_empty() {
            known = self.reload_variable_names().await?;
            let still: Vec<&str> = missing
                .into_iter()
                .filter(|n| known.key(n).is_none())
                .collect();
            if !still.is_empty() {
                let mut tx = self.write().await?;
                for name in &still {
                    sqlx::query(
                        "INSERT INTO answer_variables (name) VALUES ($1) \
                         ON CONFLICT (name) DO NOTHING",
                    )
                    .bind(*name)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                known = self.reload_variable_names().await?;
            }
        }
        wanted
            .iter()
            .map(|name| {
                known
                    .key(name)
                    .map(|key| ((*name).to_owned(), key))
                    .ok_or_else(|| {
                        StoreError::Corrupt(format!("no key was stored for the variable {name}"))
                    })
            })
            .collect()
    }

    /// Packs the rows of the answers table of a database made before migration 15 into
    /// their responses and empties the table, in one transaction: interrupted, it is
    /// done again from the start at the next opening. Migration 16 then drops the table.
    pub(crate) async fn pack_answer_rows(&self) -> Result<(), StoreError> {
        let variables: Vec<String> = sqlx::query("SELECT DISTINCT variable FROM answers")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| row.try_get("variable"))
            .collect::<Result<_, _>>()?;
        if variables.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = variables.iter().map(String::as_str).collect();
        let keys = self.variable_keys(&names).await?;
        let mut tx = self.write().await?;
        let mut packed_responses = 0_usize;
        loop {
            let batch: Vec<String> = sqlx::query(
                "SELECT DISTINCT response_id FROM answers ORDER BY response_id LIMIT 500",
            )
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| row.try_get("response_id"))
            .collect::<Result<_, _>>()?;
            if batch.is_empty() {
                break;
            }
            for response_id in &batch {
                let rows =
                    sqlx::query("SELECT variable, value FROM answers WHERE response_id = $1")
                        .bind(response_id)
                        .fetch_all(&mut *tx)
                        .await?;
                let existing: Option<Vec<u8>> =
                    sqlx::query("SELECT answers FROM responses WHERE id = $1")
                        .bind(response_id)
                        .fetch_optional(&mut *tx)
                        .await?
                        .map(|row| row.try_get("answers"))
                        .transpose()?
                        .flatten();
                let mut answers = unpack_owned(existing.as_deref())?;
                for row in &rows {
                    let variable: String = row.try_get("variable")?;
                    let key = keys.get(&variable).copied().ok_or_else(|| {
                        StoreError::Corrupt(format!("no key for the variable {variable}"))
                    })?;
                    answers.insert(key, row.try_get("value")?);
                }
                sqlx::query("UPDATE responses SET answers = $1, answer_count = $2 WHERE id = $3")
                    .bind(pack(&answers)?)
                    .bind(i64::try_from(answers.len()).unwrap_or(i64::MAX))
                    .bind(response_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM answers WHERE response_id = $1")
                    .bind(response_id)
                    .execute(&mut *tx)
                    .await?;
            }
            packed_responses += batch.len();
        }
        tx.commit().await?;
        tracing::info!(
            responses = packed_responses,
            "packed the answers of existing responses into their rows"
        );
        Ok(())
    }

    /// Packs answers given by variable name.
    pub(crate) async fn pack_named(
        &self,
        answers: &[(String, String)],
    ) -> Result<(Vec<u8>, i64), StoreError> {
        let names: Vec<&str> = answers.iter().map(|(name, _)| name.as_str()).collect();
        let keys = self.variable_keys(&names).await?;
        let mut packed = BTreeMap::new();
        for (name, value) in answers {
            if let Some(key) = keys.get(name) {
                packed.insert(*key, value.clone());
            }
        }
        let count = i64::try_from(packed.len()).unwrap_or(i64::MAX);
        Ok((pack(&packed)?, count))
    }

    /// Unpacks a response's answers with their variables' names, reading the names
    /// again if a key is new to this process.
    pub(crate) async fn unpack_named(
        &self,
        packed: Option<&[u8]>,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        let entries = unpack(packed)?;
        let mut names = self.variable_names().await?;
        if entries.iter().any(|(k, _)| names.name(*k).is_none()) {
            names = self.reload_variable_names().await?;
        }
        entries
            .into_iter()
            .map(|(key, value)| {
                names
                    .name(key)
                    .map(|name| (name.to_owned(), value.to_owned()))
                    .ok_or_else(|| StoreError::Corrupt(format!("no variable has the key {key}")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn packed_answers_come_back_as_they_went_in_whatever_their_text() {
        let answers: BTreeMap<u32, String> = [
            (1, "3".to_owned()),
            (2, "1,4".to_owned()),
            (300, "line one\nline two, with a comma".to_owned()),
            (70_000, "Zoë — سلام — 你好".to_owned()),
            (5, String::new()),
        ]
        .into_iter()
        .collect();
        let bytes = pack(&answers).unwrap();
        assert_eq!(unpack_owned(Some(&bytes)).unwrap(), answers);
    }

    #[test]
    fn a_short_answer_costs_its_bytes_and_about_two_more() {
        let answers: BTreeMap<u32, String> = (1..=116).map(|k| (k, "3".to_owned())).collect();
        let bytes = pack(&answers).unwrap();
        // One byte of count; per answer one or two key bytes, one length byte, the value.
        assert!(bytes.len() <= 1 + 116 * 4, "{} bytes", bytes.len());
    }

    #[test]
    fn no_stored_value_is_no_answers_and_damaged_bytes_are_an_error_not_a_panic() {
        assert!(unpack(None).unwrap().is_empty());
        assert!(matches!(
            unpack(Some(&[5, 1, 200])),
            Err(StoreError::Corrupt(_))
        ));
        // A length running past the end, and a value that is not UTF-8.
        assert!(unpack(Some(&[1, 1, 9, b'a'])).is_err());
        assert!(unpack(Some(&[1, 1, 1, 0xff])).is_err());
    }
}
