//! The write turn and the write transaction: every write goes through [`Store::write`].
//!
//! SQLite allows one writer at a time. Rather than let writers collide and retry on
//! `SQLITE_BUSY`, the process takes turns: a write takes the turn (a tokio mutex), then
//! begins its transaction, and passes the turn on when the transaction ends. PostgreSQL
//! needs no turn (the store has no lock for it), so there a write is just a transaction.

use std::ops::{Deref, DerefMut};

use sqlx::{Any, AnyConnection, Transaction};
use tokio::sync::MutexGuard;

use crate::{Store, StoreError};

/// A write lock for SQLite, taken around every writing transaction.
pub(crate) type WriteLock = tokio::sync::Mutex<()>;

/// A writing transaction that holds the process's write turn (on SQLite) until it is
/// committed, rolled back or dropped; dropped, the transaction is rolled back.
///
/// It dereferences to the transaction's connection, so statements run on it with
/// `.execute(&mut *tx)` (and `&mut **tx` in helpers that take a `&mut Write`).
pub(crate) struct Write<'a> {
    // Fields are dropped in order: a transaction dropped uncommitted is rolled back
    // before the turn passes on, as when the two were locals declared turn first.
    tx: Transaction<'static, Any>,
    turn: Option<MutexGuard<'a, ()>>,
    store: &'a Store,
}

impl Store {
    /// Takes the write turn (SQLite; waiting for it as long as it takes) and then
    /// begins a transaction. Every method that changes data goes through this, so none
    /// can forget the turn.
    pub(crate) async fn write(&self) -> Result<Write<'_>, StoreError> {
        let turn = self.write_turn().await;
        let tx = self.pool.begin().await?;
        Ok(Write {
            tx,
            turn,
            store: self,
        })
    }

    /// The write turn alone, without a transaction: only for the writes that cannot
    /// run in one [`Write`] (the group commit of page saves and the scrub of deleted
    /// data), each of which says why.
    pub(crate) async fn write_turn(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.write_lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        }
    }
}

impl<'a> Write<'a> {
    /// Commits the transaction, then passes the turn on.
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Rolls the transaction back, then passes the turn on.
    pub(crate) async fn rollback(self) -> Result<(), StoreError> {
        self.tx.rollback().await?;
        Ok(())
    }

    /// Commits the transaction and begins another in the same turn: for a method whose
    /// changes must not share a transaction (not even its id) but that is one write.
    pub(crate) async fn commit_and_begin(self) -> Result<Write<'a>, StoreError> {
        let Write { tx, turn, store } = self;
        tx.commit().await?;
        let tx = store.pool.begin().await?;
        Ok(Write { tx, turn, store })
    }
}

impl Deref for Write<'_> {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for Write<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}
