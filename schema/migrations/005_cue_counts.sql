-- 005: a covering index for the per-track cue counts of every record, so
-- building a record (show, search, export) never reads the cue texts.
CREATE INDEX cues_track ON cues(media_id, source, track, language);
DROP INDEX cues_media;
