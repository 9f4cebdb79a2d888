-- Linking codes (PostgreSQL; the SQLite twin has the same name and meaning).
--
-- A response's linking code, kept only as keyed hashes: `hashes` is the text
-- `skafada_waves::sgic::SgicHashes::encode` writes (64 hex digits for the whole code, then
-- one per component left out under the all-but-one rule, separated by spaces), made under
-- the study's linking key (`study_secrets`). The answers the code was made from are never
-- stored. Deleted with the response.
CREATE TABLE link_codes (
    response_id TEXT PRIMARY KEY REFERENCES responses (id),
    hashes TEXT NOT NULL
);
