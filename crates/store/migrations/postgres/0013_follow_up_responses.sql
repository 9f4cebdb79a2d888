-- Follow-up waves' responses. Twin files for SQLite and PostgreSQL, same name and meaning.
--
-- sessions.wave: 0 for a journey started from the site's link; N for one started from
-- the link of the study's Nth follow-up wave (its responses have phase 'follow-up-N').
ALTER TABLE sessions ADD COLUMN wave INTEGER NOT NULL DEFAULT 0;

-- A follow-up response linked to its respondent's earlier answers by the resume code
-- they kept: the anonymous respondent of those answers, at the same site. (A response
-- linked by its linking code keeps only the code's keyed hashes, in link_codes, and is
-- paired when the results are read.) Deleted with the response.
CREATE TABLE follow_up_links (
    response_id TEXT PRIMARY KEY REFERENCES responses (id),
    baseline_respondent_id TEXT NOT NULL REFERENCES respondents (id)
);
