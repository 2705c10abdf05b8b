-- 010: what a search's file filters read from a file's editorial row (its
-- recorded date, visibility, event, campaign, organisation, last change),
-- without the sidecar document that makes each row wide: a filter by date
-- tests the row of every hit's file, a page of four rows in the table and of
-- forty in this index. catalog_search.c names it with INDEXED BY.
CREATE INDEX editorial_facts ON editorial(media_id, recorded_at, visibility, event, campaign,
                                          organisation, updated_at);
