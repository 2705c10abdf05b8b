-- 001: the technical catalogue.
-- One row per indexed root folder; media paths are stored relative to it so
-- a drive mounted elsewhere keeps its catalogue.
CREATE TABLE roots (
  id          INTEGER PRIMARY KEY,
  path        TEXT NOT NULL UNIQUE,           -- absolute, as resolved by realpath
  name        TEXT NOT NULL,                  -- last path component, shown in records
  added_at    TEXT NOT NULL,
  last_scan   INTEGER REFERENCES scans(id)
);

-- One row per media file the catalogue knows, present or missing.
CREATE TABLE media (
  id            INTEGER PRIMARY KEY,
  uid           TEXT NOT NULL UNIQUE,         -- the record's stable "id"
  root_id       INTEGER NOT NULL REFERENCES roots(id),
  path          TEXT NOT NULL,                -- relative to the root, '/' separated
  status        TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'missing')),
  size          INTEGER NOT NULL,
  mtime_ns      INTEGER NOT NULL,             -- compared by the walker to skip unchanged files
  sha256        TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('video', 'audio', 'photo')),
  format        TEXT,
  duration      REAL,
  bit_rate      INTEGER,
  width         INTEGER,
  height        INTEGER,
  rotation      INTEGER,
  fps           REAL,
  recorded_at   TEXT,
  recorded_at_source TEXT,
  lat           REAL,
  lon           REAL,
  location_source TEXT,
  camera_make   TEXT,
  camera_model  TEXT,
  orientation   INTEGER,
  first_seen    TEXT NOT NULL,
  last_seen     TEXT NOT NULL,
  missing_since TEXT,
  indexed_at    TEXT NOT NULL,
  scan_id       INTEGER REFERENCES scans(id),
  UNIQUE (root_id, path)
);
CREATE INDEX media_sha256 ON media(sha256);
CREATE INDEX media_status ON media(status);

CREATE TABLE streams (
  media_id    INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  type        TEXT NOT NULL,
  codec       TEXT,
  width       INTEGER,
  height      INTEGER,
  fps         REAL,
  rotation    INTEGER,
  sample_rate INTEGER,
  channels    INTEGER,
  language    TEXT,
  PRIMARY KEY (media_id, idx)
) WITHOUT ROWID;

-- Container tags and, for photos, EXIF text fields; keys lower-case.
CREATE TABLE tags (
  media_id    INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  PRIMARY KEY (media_id, key)
) WITHOUT ROWID;

CREATE TABLE chapters (
  media_id    INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  start       REAL NOT NULL,
  end         REAL NOT NULL,
  title       TEXT,
  PRIMARY KEY (media_id, idx)
) WITHOUT ROWID;

-- One row per `reel index` run with its counts.
CREATE TABLE scans (
  id          INTEGER PRIMARY KEY,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  roots       TEXT NOT NULL,                  -- JSON array of the roots walked
  new         INTEGER NOT NULL DEFAULT 0,
  changed     INTEGER NOT NULL DEFAULT 0,
  unchanged   INTEGER NOT NULL DEFAULT 0,
  moved       INTEGER NOT NULL DEFAULT 0,
  missing     INTEGER NOT NULL DEFAULT 0,
  failed      INTEGER NOT NULL DEFAULT 0,
  opened      INTEGER NOT NULL DEFAULT 0
);

-- Files that could not be read, and why. One row per file: the latest
-- failure. size/mtime let the walker skip an unchanged failing file.
CREATE TABLE errors (
  id          INTEGER PRIMARY KEY,
  root_id     INTEGER NOT NULL REFERENCES roots(id),
  path        TEXT NOT NULL,                  -- invalid UTF-8 bytes escaped as \xNN
  stage       TEXT NOT NULL,                  -- walk, read, probe, exif, timeout, crash
  message     TEXT NOT NULL,
  size        INTEGER,
  mtime_ns    INTEGER,
  at          TEXT NOT NULL,
  scan_id     INTEGER REFERENCES scans(id),
  UNIQUE (root_id, path)
);

-- Full-text search: the text of each record, kept in one row per media file
-- by the writer, indexed by an external-content FTS5 table that triggers keep
-- in sync.
CREATE TABLE media_text (
  media_id    INTEGER PRIMARY KEY REFERENCES media(id) ON DELETE CASCADE,
  title       TEXT,
  description TEXT,
  tags        TEXT,
  path        TEXT
);
CREATE VIRTUAL TABLE media_fts USING fts5(
  title, description, tags, path,
  content = 'media_text', content_rowid = 'media_id',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER media_text_ai AFTER INSERT ON media_text BEGIN
  INSERT INTO media_fts(rowid, title, description, tags, path)
  VALUES (new.media_id, new.title, new.description, new.tags, new.path);
END;
CREATE TRIGGER media_text_ad AFTER DELETE ON media_text BEGIN
  INSERT INTO media_fts(media_fts, rowid, title, description, tags, path)
  VALUES ('delete', old.media_id, old.title, old.description, old.tags, old.path);
END;
CREATE TRIGGER media_text_au AFTER UPDATE ON media_text BEGIN
  INSERT INTO media_fts(media_fts, rowid, title, description, tags, path)
  VALUES ('delete', old.media_id, old.title, old.description, old.tags, old.path);
  INSERT INTO media_fts(rowid, title, description, tags, path)
  VALUES (new.media_id, new.title, new.description, new.tags, new.path);
END;
