-- skafada's first schema (SQLite). The PostgreSQL twin has the same name and meaning.
-- Dates are ISO 8601 text (YYYY-MM-DD); no time of day is kept with respondents or
-- responses. Flags and counts are integers. Nothing here identifies a person.

CREATE TABLE studies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    pre_instrument TEXT NOT NULL,
    post_instrument TEXT NOT NULL,
    module_id TEXT NOT NULL,
    module_sources TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    retain_until TEXT NOT NULL,
    created_on TEXT NOT NULL
);

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    study_id TEXT NOT NULL REFERENCES studies (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    model_of_practice TEXT NOT NULL,
    population TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    area_type TEXT NOT NULL,
    deprivation_quintile INTEGER,
    local_services TEXT NOT NULL,
    link_token TEXT NOT NULL UNIQUE,
    UNIQUE (study_id, code)
);

CREATE TABLE respondents (
    id TEXT PRIMARY KEY,
    study_id TEXT NOT NULL REFERENCES studies (id),
    site_id TEXT NOT NULL REFERENCES sites (id),
    created_on TEXT NOT NULL,
    resume_hash TEXT UNIQUE,
    returned INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    respondent_id TEXT NOT NULL REFERENCES respondents (id),
    phase TEXT NOT NULL,
    status TEXT NOT NULL,
    current_page TEXT NOT NULL,
    started_on TEXT NOT NULL,
    submitted_on TEXT,
    UNIQUE (respondent_id, phase)
);

CREATE TABLE answers (
    response_id TEXT NOT NULL REFERENCES responses (id),
    variable TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (response_id, variable)
);

CREATE TABLE training_sections (
    respondent_id TEXT NOT NULL REFERENCES respondents (id),
    section_id TEXT NOT NULL,
    completed_on TEXT NOT NULL,
    PRIMARY KEY (respondent_id, section_id)
);

CREATE TABLE knowledge_checks (
    respondent_id TEXT NOT NULL REFERENCES respondents (id),
    section_id TEXT NOT NULL,
    check_index INTEGER NOT NULL,
    answer TEXT NOT NULL,
    correct INTEGER NOT NULL,
    PRIMARY KEY (respondent_id, section_id, check_index)
);

CREATE TABLE certificates (
    code TEXT PRIMARY KEY,
    respondent_id TEXT NOT NULL UNIQUE REFERENCES respondents (id),
    module_title TEXT NOT NULL,
    module_version TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    learning_minutes INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id),
    respondent_id TEXT REFERENCES respondents (id),
    expires_at INTEGER NOT NULL
);

CREATE TABLE commit_probe (
    n INTEGER NOT NULL
);
