-- A response's answers packed into its own row. Twin files for SQLite and PostgreSQL,
-- same name and meaning.
--
-- answers: the answers as (variable key, stored value) pairs, packed by the store
-- (crates/store/src/packed.rs); NULL before the first answer. answer_count: how many.
-- answer_variables: each variable's key, once for the database; never changed or reused.
-- The rows of the old answers table are packed into responses by the store when it
-- opens a database made before this migration, and the table is then dropped.
ALTER TABLE responses ADD COLUMN answers BLOB;
ALTER TABLE responses ADD COLUMN answer_count INTEGER NOT NULL DEFAULT 0;

CREATE TABLE answer_variables (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

-- Ended sessions are deleted by expiry time.
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- A study's respondents are counted on every results view (and read for every export).
CREATE INDEX respondents_by_study ON respondents (study_id);
