-- 004: editorial metadata from sidecars, segments and transcripts.
-- Sidecars stay the source of truth: everything here can be rebuilt from
-- them by deleting the catalogue and indexing again.

-- The sidecar and subtitle files the walker saw, so a changed one (and only
-- that) makes its media's editorial values be read again.
CREATE TABLE sidecars (
  root_id   INTEGER NOT NULL REFERENCES roots(id),
  path      TEXT NOT NULL,                 -- relative to the root
  kind      TEXT NOT NULL CHECK (kind IN ('file', 'folder', 'ytdlp', 'subtitle')),
  size      INTEGER NOT NULL,
  mtime_ns  INTEGER NOT NULL,
  PRIMARY KEY (root_id, path)
) WITHOUT ROWID;

-- The merged editorial values of one media file (the record's editorial
-- fields as JSON), with the columns filters need.
CREATE TABLE editorial (
  media_id    INTEGER PRIMARY KEY REFERENCES media(id) ON DELETE CASCADE,
  doc         TEXT NOT NULL,
  visibility  TEXT NOT NULL DEFAULT 'internal'
              CHECK (visibility IN ('public', 'internal', 'restricted')),
  recorded_at TEXT,
  event       TEXT,
  campaign    TEXT,
  organisation TEXT,
  place       TEXT,
  updated_at  TEXT NOT NULL
);
CREATE INDEX editorial_event ON editorial(event);

-- Everyone named by a sidecar, with every alias any sidecar gives them
-- (newline-separated), searchable case- and diacritics-insensitively.
CREATE TABLE people (
  id       INTEGER PRIMARY KEY,
  name     TEXT NOT NULL UNIQUE,
  aliases  TEXT NOT NULL DEFAULT ''
);
CREATE VIRTUAL TABLE people_fts USING fts5(
  name, aliases, content = 'people', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER people_ai AFTER INSERT ON people BEGIN
  INSERT INTO people_fts(rowid, name, aliases) VALUES (new.id, new.name, new.aliases);
END;
CREATE TRIGGER people_au AFTER UPDATE ON people BEGIN
  INSERT INTO people_fts(people_fts, rowid, name, aliases) VALUES ('delete', old.id, old.name, old.aliases);
  INSERT INTO people_fts(rowid, name, aliases) VALUES (new.id, new.name, new.aliases);
END;

CREATE TABLE media_people (
  media_id  INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  name      TEXT NOT NULL,
  role      TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (media_id, name, role)
) WITHOUT ROWID;
CREATE INDEX media_people_name ON media_people(name);

CREATE TABLE media_countries (
  media_id  INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  code      TEXT NOT NULL,
  PRIMARY KEY (media_id, code)
) WITHOUT ROWID;
CREATE INDEX media_countries_code ON media_countries(code);

CREATE TABLE media_languages (
  media_id  INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  code      TEXT NOT NULL,
  PRIMARY KEY (media_id, code)
) WITHOUT ROWID;

CREATE TABLE media_keywords (
  media_id  INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  keyword   TEXT NOT NULL,
  PRIMARY KEY (media_id, keyword)
) WITHOUT ROWID;

-- Time-coded clips: a search that matches one returns the clip.
CREATE TABLE segments (
  id        INTEGER PRIMARY KEY,
  media_id  INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  idx       INTEGER NOT NULL,
  start     REAL NOT NULL,
  end       REAL NOT NULL,
  title     TEXT,
  people    TEXT NOT NULL DEFAULT '',        -- newline-separated names
  countries TEXT NOT NULL DEFAULT '',        -- newline-separated alpha-2 codes
  keywords  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX segments_media ON segments(media_id);
CREATE VIRTUAL TABLE segments_fts USING fts5(
  title, people, keywords, content = 'segments', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER segments_ai AFTER INSERT ON segments BEGIN
  INSERT INTO segments_fts(rowid, title, people, keywords)
  VALUES (new.id, new.title, new.people, new.keywords);
END;
CREATE TRIGGER segments_ad AFTER DELETE ON segments BEGIN
  INSERT INTO segments_fts(segments_fts, rowid, title, people, keywords)
  VALUES ('delete', old.id, old.title, old.people, old.keywords);
END;

-- Transcripts: subtitle cues from files beside the media and from text
-- subtitle streams inside it.
CREATE TABLE cues (
  id        INTEGER PRIMARY KEY,
  media_id  INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  source    TEXT NOT NULL CHECK (source IN ('file', 'stream')),
  track     TEXT NOT NULL,                   -- the file's name or "stream:N"
  language  TEXT,
  start     REAL NOT NULL,
  end       REAL NOT NULL,
  text      TEXT NOT NULL
);
CREATE INDEX cues_media ON cues(media_id, source);
CREATE VIRTUAL TABLE cues_fts USING fts5(
  text, content = 'cues', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER cues_ai AFTER INSERT ON cues BEGIN
  INSERT INTO cues_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER cues_ad AFTER DELETE ON cues BEGIN
  INSERT INTO cues_fts(cues_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

-- The record's full-text index gains the editorial words: people and their
-- aliases, places, events, campaigns, organisations, countries, keywords.
DROP TRIGGER media_text_ai;
DROP TRIGGER media_text_ad;
DROP TRIGGER media_text_au;
DROP TABLE media_fts;
ALTER TABLE media_text ADD COLUMN editorial TEXT;
CREATE VIRTUAL TABLE media_fts USING fts5(
  title, description, tags, path, editorial,
  content = 'media_text', content_rowid = 'media_id',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER media_text_ai AFTER INSERT ON media_text BEGIN
  INSERT INTO media_fts(rowid, title, description, tags, path, editorial)
  VALUES (new.media_id, new.title, new.description, new.tags, new.path, new.editorial);
END;
CREATE TRIGGER media_text_ad AFTER DELETE ON media_text BEGIN
  INSERT INTO media_fts(media_fts, rowid, title, description, tags, path, editorial)
  VALUES ('delete', old.media_id, old.title, old.description, old.tags, old.path, old.editorial);
END;
CREATE TRIGGER media_text_au AFTER UPDATE ON media_text BEGIN
  INSERT INTO media_fts(media_fts, rowid, title, description, tags, path, editorial)
  VALUES ('delete', old.media_id, old.title, old.description, old.tags, old.path, old.editorial);
  INSERT INTO media_fts(rowid, title, description, tags, path, editorial)
  VALUES (new.media_id, new.title, new.description, new.tags, new.path, new.editorial);
END;
INSERT INTO media_fts(media_fts) VALUES ('rebuild');
