-- Admin accounts, their sessions, sign-in failures and lockouts, and the audit log
-- (PostgreSQL). The SQLite twin has the same name and meaning. No account exists until
-- `skafada admin create` makes one. Times are Unix seconds.

-- role: study-admin, analyst or la-contact. study_id NULL: a study admin of every
-- study. site_id: the one site of an LA contact.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    study_id TEXT REFERENCES studies (id),
    site_id TEXT REFERENCES sites (id),
    created_at BIGINT NOT NULL
);

-- Only the SHA-256 of the session token is stored.
CREATE TABLE admin_sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);

-- Failed sign-ins by the SHA-256 of the email as typed (normalised), whether or not an
-- account has it, so that a lockout does not tell whether an email exists.
CREATE TABLE sign_in_failures (
    email_key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_by_key ON sign_in_failures (email_key, at);

CREATE TABLE sign_in_locks (
    email_key TEXT PRIMARY KEY,
    locked_until BIGINT NOT NULL
);

-- Who did what, when. Never answers or passwords. account_id NULL: the system (the
-- retention run) or a sign-in attempt for an email no account has.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    account_id TEXT,
    study_id TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT,
    details TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (at);
