-- The SHA-256 of each part of a study's content, recorded when the study is created
-- (SQLite). The PostgreSQL twin has the same name and meaning.
--
-- A JSON object from part (e.g. "analysis-plan") to lowercase hex digest; empty for
-- studies created before digests were recorded.
ALTER TABLE studies ADD COLUMN content_sha256 TEXT NOT NULL DEFAULT '';
