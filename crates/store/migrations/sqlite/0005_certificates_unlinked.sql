-- Certificates that cannot be joined to answers (SQLite). The PostgreSQL twin has the
-- same name and meaning.
--
-- A certificate record holds what the certificate states and nothing that relates it to
-- a respondent, a response or a session: no respondent id, no session, no date finer
-- than the month, no rowid (a rowid, or an autoincrement, would give the order of
-- insertion, which could be matched with the order of responses) and no timestamp. It
-- is a WITHOUT ROWID table keyed by its random code, so it is stored in the order of
-- the codes. Whether a respondent has downloaded a certificate is a flag on the
-- respondent, which says that and not which code.

ALTER TABLE respondents ADD COLUMN has_certificate INTEGER NOT NULL DEFAULT 0;
UPDATE respondents SET has_certificate = 1
WHERE id IN (SELECT respondent_id FROM certificates);

CREATE TABLE certificates_unlinked (
    code TEXT NOT NULL PRIMARY KEY,
    module_title TEXT NOT NULL,
    module_version TEXT NOT NULL,
    issued_month TEXT NOT NULL
        CHECK (issued_month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
    learning_minutes INTEGER NOT NULL
) WITHOUT ROWID;

-- Existing certificates keep their codes (they are printed), lose their respondent and
-- keep only the month of their date.
INSERT INTO certificates_unlinked (code, module_title, module_version, issued_month,
    learning_minutes)
SELECT code, module_title, module_version, substr(issued_on, 1, 7), learning_minutes
FROM certificates ORDER BY code;

DROP TABLE certificates;
ALTER TABLE certificates_unlinked RENAME TO certificates;
