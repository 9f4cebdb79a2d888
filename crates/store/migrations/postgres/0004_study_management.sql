-- Study settings an admin changes on the admin pages, the messages LA contacts send
-- round, and anonymous counts of journeys started (PostgreSQL). The SQLite twin has the
-- same name and meaning.

-- The analysis plan (TOML) the study's reports and dashboards use. Empty: the plan built
-- into the server (studies made before this migration).
ALTER TABLE studies ADD COLUMN analysis_plan TEXT NOT NULL DEFAULT '';

-- Which gaps the training-needs reports rank (TOML). Empty: the server's built-in one.
ALTER TABLE studies ADD COLUMN training_needs TEXT NOT NULL DEFAULT '';

-- Counts below this are suppressed on the dashboards LA contacts see, and sites with
-- fewer main survey responses are flagged as too few to report on their own.
ALTER TABLE studies ADD COLUMN min_cell_count BIGINT NOT NULL DEFAULT 5;

-- The invitation and reminder messages of a study, for LA contacts to copy or to be sent
-- by e-mail. kind: invitation, reminder or final-reminder. A kind with no row uses the
-- built-in wording.
CREATE TABLE study_messages (
    study_id TEXT NOT NULL REFERENCES studies (id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (study_id, kind)
);

-- How many times "Start now" was pressed on each site's link, per day: a count and
-- nothing else, so that the funnel can show journeys started before anyone consents.
CREATE TABLE site_starts (
    site_id TEXT NOT NULL REFERENCES sites (id),
    day TEXT NOT NULL,
    starts BIGINT NOT NULL,
    PRIMARY KEY (site_id, day)
);

-- Every journey request reads its study's dates: from this index alone, never from the
-- study row, whose surveys, module and plan fill many overflow pages before the dates.
CREATE INDEX studies_window ON studies (id, opens_on, closes_on);
