-- 006: an index for `--keyword`, which compares case-insensitively: the
-- primary key (media_id, keyword) uses the binary collation, so without this
-- a keyword filter reads every file's keywords.
CREATE INDEX media_keywords_nocase ON media_keywords(keyword COLLATE NOCASE);
