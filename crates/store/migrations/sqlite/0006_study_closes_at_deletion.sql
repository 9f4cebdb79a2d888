-- A study refuses respondents from its deletion date (SQLite). The PostgreSQL twin has
-- the same name and meaning.
--
-- Every journey request reads its study's dates from this index alone; the deletion
-- date joins the opening and closing dates, so a study past it is closed at once, not
-- at the next retention run.
DROP INDEX studies_window;
CREATE INDEX studies_window ON studies (id, opens_on, closes_on, retain_until);
