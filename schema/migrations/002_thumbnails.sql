-- 002: posters and storyboards made by thumbs/. The files live in the
-- thumbnails folder, named by content hash (identical footage shares them);
-- these rows say which belong to a record, with their facts.
CREATE TABLE thumbnails (
  media_id    INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  role        TEXT NOT NULL CHECK (role IN ('poster', 'storyboard')),
  file        TEXT,                 -- relative to the thumbnails folder; NULL when none
  vtt         TEXT,                 -- storyboards: the WebVTT beside the sheet
  width       INTEGER,
  height      INTEGER,
  size        INTEGER,
  time        REAL,                 -- posters from a video frame: its time in seconds
  source      TEXT,                 -- frame, image, exif, embedded, cover
  interval    REAL,                 -- storyboards: seconds between tiles
  tile_width  INTEGER,
  tile_height INTEGER,
  columns     INTEGER,
  count       INTEGER,
  reason      TEXT,                 -- why there is no file
  made_at     TEXT NOT NULL,
  PRIMARY KEY (media_id, role)
) WITHOUT ROWID;
