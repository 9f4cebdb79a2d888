-- Sign-in back-off (PostgreSQL). The PostgreSQL and SQLite twins have the same name and
-- meaning. Replaces the failure log and the 15-minute locks of 0002 with one row per
-- email typed (its SHA-256, whether or not an account has it): the attempts counted
-- since the last success, when the last was claimed and when the next may start. An
-- attempt is counted when it is claimed, before its password is verified, so parallel
-- attempts cannot verify more passwords than the rules allow. Times are Unix seconds.
DROP TABLE sign_in_locks;
DROP TABLE sign_in_failures;

CREATE TABLE sign_in_throttle (
    email_key TEXT PRIMARY KEY,
    attempts BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    next_at BIGINT NOT NULL
);
