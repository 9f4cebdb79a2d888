//! The store's integration tests: what deletion leaves in the database's files, sessions,
//! migrating existing certificates, and each study's linking key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod deletion;
mod linking;
mod migration;
mod sessions;

use skafada_store::random_token;

const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A fresh PostgreSQL database for one test, dropped by [`PostgresDatabase::drop`].
pub(crate) struct PostgresDatabase {
    admin: sqlx::AnyPool,
    name: String,
    /// Its URL.
    pub(crate) url: String,
}

impl PostgresDatabase {
    /// Creates one, or says the test is skipped and returns `None` when PostgreSQL is not
    /// reachable (a failure when `SKAFADA_TEST_POSTGRES=required`).
    pub(crate) async fn create(prefix: &str) -> Option<PostgresDatabase> {
        sqlx::any::install_default_drivers();
        let required = std::env::var("SKAFADA_TEST_POSTGRES").is_ok_and(|v| v == "required");
        let admin = match sqlx::AnyPool::connect(PG_ADMIN).await {
            Ok(pool) => pool,
            Err(error) if !required => {
                eprintln!(
                    "skipped: PostgreSQL not reachable ({error}); \
                     set SKAFADA_TEST_POSTGRES=required to fail"
                );
                return None;
            }
            Err(error) => panic!("PostgreSQL is required but not reachable: {error}"),
        };
        let name = format!("skafada_{prefix}_{}", random_token().unwrap());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
        Some(PostgresDatabase { admin, name, url })
    }

    /// Drops the database.
    pub(crate) async fn drop(self) {
        sqlx::query(&format!("DROP DATABASE {} WITH (FORCE)", self.name))
            .execute(&self.admin)
            .await
            .unwrap();
        self.admin.close().await;
    }
}
