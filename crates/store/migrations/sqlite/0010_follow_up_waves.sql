-- Follow-up waves (SQLite; the PostgreSQL twin has the same name and meaning).
--
-- waves: the study file (TOML) with the linking code's questions (`[sgic]`) and the
-- follow-up waves (`[[wave]]`); empty for a study with no follow-up.
ALTER TABLE studies ADD COLUMN waves TEXT NOT NULL DEFAULT '';

-- The service's secrets for each study, kept apart from the study's content and
-- responses: never exported, never shown. purpose: 'linking' (the HMAC key of the
-- linking codes). secret: 32 random bytes from the operating system, as lowercase hex.
CREATE TABLE study_secrets (
    study_id TEXT NOT NULL REFERENCES studies (id),
    purpose TEXT NOT NULL,
    secret TEXT NOT NULL,
    PRIMARY KEY (study_id, purpose)
);
