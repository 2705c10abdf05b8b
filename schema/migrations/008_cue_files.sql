-- 008: which file a cue belongs to, in a narrow index. A filtered search
-- joins every cue that matches its words to the cue's file; looked up in the
-- cues table itself (text and all) 23,000 hits touch most of its pages, in
-- this index (id, media_id) a fifth as many. catalog_search.c names it with
-- INDEXED BY: SQLite's planner prefers the table's own rowid.
CREATE INDEX cues_file ON cues(id, media_id);
