-- Schema v4: who closed an action item and when, for the care figures.
-- Set when the state becomes done or dropped, cleared when it is reopened.
-- Items closed before this version keep NULL: the closer is unknown, and
-- nothing is guessed into the table.
ALTER TABLE action_items ADD COLUMN closed_at TEXT COLLATE "C";  -- fixed-width UTC (timefmt.go)
ALTER TABLE action_items ADD COLUMN closed_by BIGINT REFERENCES members(id);
