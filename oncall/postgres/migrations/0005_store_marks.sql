-- Schema v5: facts about the store itself, one row per key. The first is
-- "seeded": the history in this file was made up by the demo seed, so the
-- screens can say so from the data rather than from how entretien was run.
CREATE TABLE store_marks (
    key    TEXT COLLATE "C" PRIMARY KEY,
    value  TEXT COLLATE "C" NOT NULL DEFAULT '',
    set_at TEXT COLLATE "C" NOT NULL  -- fixed-width UTC (timefmt.go)
);

SELECT entretien_watch('store_marks');
