-- What a study was made from, recorded when it is created (SQLite). The PostgreSQL twin has
-- the same name and meaning.
--
-- content_sha256: a JSON object from part (e.g. "analysis-plan") to the lowercase hex
-- SHA-256 of its text; empty for studies created before digests were recorded.
-- synthetic: 1 when the study holds generated demonstration responses, so that every
-- report and export of it says so.
ALTER TABLE studies ADD COLUMN content_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE studies ADD COLUMN synthetic INTEGER NOT NULL DEFAULT 0;
