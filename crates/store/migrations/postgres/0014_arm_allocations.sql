-- Allocation to delivery arms. Twin files for SQLite and PostgreSQL, same name and meaning.
--
-- One row per allocated unit (a site, or a respondent): its stratum ('' for the study when
-- sites are allocated, the site's id when respondents are), its place in the stratum's
-- sequence (0, 1, ...), the arm's id and when it was allocated (Unix seconds). The arm
-- is a pure function of the study's allocation seed (study_secrets), the declaration,
-- the stratum and the place, so the table is the allocation log that anyone holding the
-- seed can check. A respondent's row is deleted with the respondent.
CREATE TABLE arm_allocations (
    study_id TEXT NOT NULL REFERENCES studies (id),
    stratum TEXT NOT NULL,
    position INTEGER NOT NULL,
    unit_id TEXT NOT NULL UNIQUE,
    arm TEXT NOT NULL,
    allocated_at INTEGER NOT NULL,
    PRIMARY KEY (study_id, stratum, position)
);
