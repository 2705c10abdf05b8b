-- 011: the search sieve (schema/catalog_sieve.c). A filtered search used to
-- join every hit of its words to the hit's file, one look-up per hit: 23,000
-- hits of a common word read thousands of index pages. The sieve keeps what
-- the filters test, per value, as sets of file ids (and of segment ids for a
-- segment's own people, countries and keywords), the recorded date and the
-- duration by file id, and which file each cue and segment belongs to. A
-- search loads the few sets it needs and tests each hit in memory.
--
-- It is a cache: the triggers below mark it stale on any change to what it
-- holds, and a stale sieve is never read (the search joins rows as before)
-- until it is rebuilt, at the end of a command that changed the catalogue
-- or before a search. The WHERE keeps the row from being rewritten by every
-- change of a run.
CREATE TABLE sieve_state (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  stale     INTEGER NOT NULL,
  media_n   INTEGER NOT NULL DEFAULT 0,   -- file sets have ids below this
  segment_n INTEGER NOT NULL DEFAULT 0    -- segment sets have ids below this
);
INSERT INTO sieve_state (id, stale) VALUES (1, 1);
CREATE TABLE sieve (
  key   TEXT PRIMARY KEY,   -- 'kind:video', 'country:BY', 'duration', 'cue_runs', ...
  data  BLOB NOT NULL
);
CREATE TRIGGER sieve_media_ins AFTER INSERT ON media BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_media_del AFTER DELETE ON media BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_media_upd AFTER UPDATE OF status, kind, root_id, path, duration, recorded_at ON media BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_editorial_ins AFTER INSERT ON editorial BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_editorial_del AFTER DELETE ON editorial BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_editorial_upd AFTER UPDATE OF visibility, recorded_at, event, campaign, organisation ON editorial BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_media_people_ins AFTER INSERT ON media_people BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_media_people_del AFTER DELETE ON media_people BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_media_people_upd AFTER UPDATE ON media_people BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_media_countries_ins AFTER INSERT ON media_countries BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_media_countries_del AFTER DELETE ON media_countries BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_media_countries_upd AFTER UPDATE ON media_countries BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_media_languages_ins AFTER INSERT ON media_languages BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_media_languages_del AFTER DELETE ON media_languages BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_media_languages_upd AFTER UPDATE ON media_languages BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_media_keywords_ins AFTER INSERT ON media_keywords BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_media_keywords_del AFTER DELETE ON media_keywords BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_media_keywords_upd AFTER UPDATE ON media_keywords BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_segments_ins AFTER INSERT ON segments BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_segments_del AFTER DELETE ON segments BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_segments_upd AFTER UPDATE OF media_id, start, people, countries, keywords ON segments BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_cues_ins AFTER INSERT ON cues BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_cues_del AFTER DELETE ON cues BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
CREATE TRIGGER sieve_cues_upd AFTER UPDATE OF media_id ON cues BEGIN
  UPDATE sieve_state SET stale = 1 WHERE stale = 0;
END;
