-- The case studies (PostgreSQL; the SQLite twin has the same name and meaning): which sites are
-- case-study sites, their interview log, the pseudonymised transcripts, the analysts'
-- indexing (coding) and charting (matrix summaries), decisions on double-coding
-- disagreements, and the document audit.
--
-- Nothing here names an interviewee: an interview is known by its pseudonym
-- (e.g. CS1-P03) and a role. Only redacted transcripts are stored; the file a transcript
-- came from, its name and the words replaced are never stored.

-- The framework (TOML) the study's interviews are indexed under; empty for the SKAFADA
-- framework built into the server.
ALTER TABLE studies ADD COLUMN framework TEXT NOT NULL DEFAULT '';

CREATE TABLE case_study_sites (
    site_id TEXT PRIMARY KEY REFERENCES sites (id),
    study_id TEXT NOT NULL REFERENCES studies (id),
    number BIGINT NOT NULL,
    UNIQUE (study_id, number)
);

-- status: planned, interviewed or withdrawn. transcript: none, review (imported, waiting
-- for an analyst to check the redactions) or accepted.
CREATE TABLE interviews (
    id TEXT PRIMARY KEY,
    study_id TEXT NOT NULL REFERENCES studies (id),
    site_id TEXT NOT NULL REFERENCES sites (id),
    pseudonym TEXT NOT NULL,
    role TEXT NOT NULL,
    interviewed_on TEXT NOT NULL,
    mode TEXT NOT NULL,
    interviewer TEXT NOT NULL,
    consent_recorded_by TEXT NOT NULL,
    status TEXT NOT NULL,
    transcript TEXT NOT NULL DEFAULT 'none',
    double_coded BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (study_id, pseudonym)
);

CREATE TABLE transcript_turns (
    interview_id TEXT NOT NULL REFERENCES interviews (id),
    number BIGINT NOT NULL,
    speaker TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (interview_id, number)
);

-- A passage is a whole turn (start_at and end_at NULL) or the characters [start_at,
-- end_at) of it, indexed by one coder (the account's email at the time).
CREATE TABLE passages (
    id TEXT PRIMARY KEY,
    interview_id TEXT NOT NULL REFERENCES interviews (id),
    turn BIGINT NOT NULL,
    start_at BIGINT,
    end_at BIGINT,
    coder TEXT NOT NULL,
    memo TEXT NOT NULL,
    report_quote BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX passages_by_interview ON passages (interview_id, turn);

CREATE TABLE passage_codes (
    passage_id TEXT NOT NULL REFERENCES passages (id),
    sub_theme TEXT NOT NULL,
    PRIMARY KEY (passage_id, sub_theme)
);

CREATE TABLE matrix_summaries (
    interview_id TEXT NOT NULL REFERENCES interviews (id),
    sub_theme TEXT NOT NULL,
    text TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (interview_id, sub_theme)
);

-- For a double-coded interview: whether a sub-theme applies to a turn where the two
-- coders disagreed (include 1 or 0), agreed after discussion.
CREATE TABLE coding_decisions (
    interview_id TEXT NOT NULL REFERENCES interviews (id),
    turn BIGINT NOT NULL,
    sub_theme TEXT NOT NULL,
    include BIGINT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    PRIMARY KEY (interview_id, turn, sub_theme)
);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    study_id TEXT NOT NULL REFERENCES studies (id),
    site_id TEXT NOT NULL REFERENCES sites (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    dated TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE document_ratings (
    document_id TEXT NOT NULL REFERENCES documents (id),
    criterion TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (document_id, criterion)
);
