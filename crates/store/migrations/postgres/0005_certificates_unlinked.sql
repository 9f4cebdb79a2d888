-- Certificates that cannot be joined to answers (PostgreSQL). The SQLite twin has the
-- same name and meaning.
--
-- A certificate record holds what the certificate states and nothing that relates it to
-- a respondent, a response or a session: no respondent id, no session, no date finer
-- than the month, no serial and no timestamp. Whether a respondent has downloaded a
-- certificate is a flag on the respondent, which says that and not which code. What
-- PostgreSQL's physical row order and system columns still reveal is in
-- docs/certificates-and-deletion.md.

ALTER TABLE respondents ADD COLUMN has_certificate BIGINT NOT NULL DEFAULT 0;
UPDATE respondents SET has_certificate = 1
WHERE id IN (SELECT respondent_id FROM certificates);

CREATE TABLE certificates_unlinked (
    code TEXT PRIMARY KEY,
    module_title TEXT NOT NULL,
    module_version TEXT NOT NULL,
    issued_month TEXT NOT NULL CHECK (issued_month ~ '^[0-9]{4}-[0-9]{2}$'),
    learning_minutes BIGINT NOT NULL
);

-- Existing certificates keep their codes (they are printed), lose their respondent and
-- keep only the month of their date. Written in the order of the codes, in one
-- transaction, so their physical order and their xmin say nothing about when each was
-- issued.
INSERT INTO certificates_unlinked (code, module_title, module_version, issued_month,
    learning_minutes)
SELECT code, module_title, module_version, substr(issued_on, 1, 7), learning_minutes
FROM certificates ORDER BY code;

DROP TABLE certificates;
ALTER TABLE certificates_unlinked RENAME TO certificates;
ALTER TABLE certificates RENAME CONSTRAINT certificates_unlinked_pkey TO certificates_pkey;
