-- Headcounts for response rates, and the record of deleted data (SQLite). The
-- PostgreSQL twin has the same name and meaning.

-- The number of practitioners the survey link was sent to, when the LA knows it.
ALTER TABLE sites ADD COLUMN headcount INTEGER;

-- A tombstone for each deletion (the retention run or one site's data): what was
-- deleted and when, as row counts, never the data or anything computed from it.
CREATE TABLE deletions (
    id TEXT PRIMARY KEY,
    at INTEGER NOT NULL,
    study_id TEXT NOT NULL,
    site_id TEXT,
    reason TEXT NOT NULL,
    respondents INTEGER NOT NULL,
    responses INTEGER NOT NULL,
    answers INTEGER NOT NULL
);
