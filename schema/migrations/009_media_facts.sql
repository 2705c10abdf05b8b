-- 009: the facts a search's file filters test (status, kind, root, duration,
-- recorded date), by file id, in a narrow index. Ranking a filtered search
-- tests the file of every hit (23,000 for one common word); read from the
-- media table itself, each test is a page of ten wide rows, from this index
-- a page of a hundred. catalog_search.c names it with INDEXED BY when every
-- column it needs is here: SQLite's planner prefers the table's own rowid.
CREATE INDEX media_facts ON media(id, status, kind, root_id, duration, recorded_at);
