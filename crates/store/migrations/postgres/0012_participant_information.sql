-- Participant information (PostgreSQL; the SQLite twin has the same name and meaning).
--
-- participant_information: the study's participant information sheet and consent
-- wording (TOML, `skafada_instrument::participant`); empty for a study made before it
-- was stored, which shows the survey's own consent statements.
ALTER TABLE studies ADD COLUMN participant_information TEXT NOT NULL DEFAULT '';
