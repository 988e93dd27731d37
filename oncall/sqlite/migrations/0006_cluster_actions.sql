-- Schema v6: what members did to the cluster through entretien outside any
-- incident (inside one, the action is an entry of its journal instead), so
-- nothing done through entretien is invisible. Append-only, like entries.
CREATE TABLE cluster_actions (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,                          -- fixed-width UTC (timefmt.go)
    author_id INTEGER NOT NULL REFERENCES members(id),
    what      TEXT NOT NULL,                          -- "restart allocation 3f2a1b9c of garage on lyon"
    touches   TEXT NOT NULL DEFAULT '[]',             -- JSON array: "job/garage", "node/lyon-1", "site/lyon"
    ok        INTEGER NOT NULL,                       -- 1: Nomad accepted it
    outcome   TEXT NOT NULL DEFAULT ''                -- "accepted, evaluation 9b2c…" or Nomad's error
);
CREATE INDEX cluster_actions_at ON cluster_actions(at);
