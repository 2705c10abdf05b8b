-- 003: fixity and custody. Footage may become evidence, so every file gets an
-- append-only log of what happened to it, as the catalogue saw it: when it
-- was first seen (with its hash), changed, moved, went missing, came back,
-- and what each verification (`reel verify`) found.
CREATE TABLE custody (
  id          INTEGER PRIMARY KEY,            -- append order: the log's order
  media_id    INTEGER NOT NULL REFERENCES media(id),   -- no cascade: media rows are never deleted
  event       TEXT NOT NULL CHECK (event IN ('first_seen', 'changed', 'moved', 'missing',
                'reappeared', 'verified_ok', 'verified_altered', 'verified_missing')),
  at          TEXT NOT NULL,                  -- UTC, ISO 8601 with milliseconds
  scan_id     INTEGER REFERENCES scans(id),   -- the index run; NULL for `reel verify`
  root_id     INTEGER REFERENCES roots(id),   -- where the file is (moved: its new place)
  path        TEXT,
  sha256      TEXT,                           -- the content found (changed: the new hash)
  size        INTEGER,
  old_root_id INTEGER REFERENCES roots(id),   -- moved: where it was
  old_path    TEXT,
  old_sha256  TEXT,                           -- changed, verified_altered: the hash catalogued before
  old_size    INTEGER
);
CREATE INDEX custody_media ON custody(media_id, id);

-- The log is never rewritten: reel has no UPDATE or DELETE of it, and these
-- triggers refuse one from anywhere else (a tool editing the file with the
-- sqlite3 shell would have to drop them first, which is itself visible).
CREATE TRIGGER custody_no_update BEFORE UPDATE ON custody BEGIN
  SELECT RAISE(ABORT, 'the custody log is append-only');
END;
CREATE TRIGGER custody_no_delete BEFORE DELETE ON custody BEGIN
  SELECT RAISE(ABORT, 'the custody log is append-only');
END;

-- When `reel verify` last re-hashed the file (any outcome); NULL: never.
-- `reel verify --older-than DAYS` picks files whose last hash, by verify or
-- by indexing, is older than that.
ALTER TABLE media ADD COLUMN verified_at TEXT;

-- Files catalogued before this version get their first_seen event now, so
-- every log starts with one (marked by the hash catalogued then).
INSERT INTO custody(media_id, event, at, scan_id, root_id, path, sha256, size)
  SELECT id, 'first_seen', first_seen, scan_id, root_id, path, sha256, size FROM media ORDER BY id;
INSERT INTO custody(media_id, event, at, root_id, path, sha256, size)
  SELECT id, 'missing', missing_since, root_id, path, sha256, size FROM media
  WHERE status = 'missing' ORDER BY id;
