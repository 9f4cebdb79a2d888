//! The commit probe for `skafada bench journey`.

use crate::{Store, StoreError};

impl Store {
    /// Commits one tiny row in its own transaction: the database's raw durable-commit
    /// cost, for `skafada bench journey` to compare page commits against.
    #[tracing::instrument(skip_all)]
    pub async fn probe_commit(&self, n: i64) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO commit_probe (n) VALUES ($1)")
            .bind(n)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes the rows [`Store::probe_commit`] wrote.
    #[tracing::instrument(skip_all)]
    pub async fn clear_probe(&self) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM commit_probe")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
