-- Schema v9: decisions taken together. A proposal, its texts (one row per
-- version: amendments add rows), what it affects, its implications, every
-- position taken (a member's current one is their latest row: nothing is
-- updated or deleted), its outcome and the action items it creates, and the
-- history (one event per change, read for the per-member notices).
-- Times are TEXT in the fixed-width UTC layout of timefmt.go.

CREATE TABLE proposals (
    id             INTEGER PRIMARY KEY,
    title          TEXT NOT NULL,
    driver         TEXT NOT NULL,
    process        TEXT NOT NULL CHECK (process IN ('consent', 'consensus')),
    quorum         INTEGER NOT NULL DEFAULT 0,   -- 0: half the members, rounded up
    closes_at      TEXT NOT NULL,
    incident_id    INTEGER REFERENCES incidents(id),
    action_item_id INTEGER REFERENCES action_items(id),
    factor_id      INTEGER REFERENCES retro_notes(id),
    opened_by      INTEGER NOT NULL REFERENCES members(id),
    opened_at      TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('open', 'adopted', 'withdrawn', 'not_adopted', 'expired')),
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX proposals_state ON proposals(state, closes_at);

CREATE TABLE proposal_affects (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    position    INTEGER NOT NULL,
    target      TEXT NOT NULL,
    PRIMARY KEY (proposal_id, position),
    UNIQUE (proposal_id, target)
);

CREATE TABLE proposal_versions (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    version     INTEGER NOT NULL,
    text        TEXT NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES members(id),
    at          TEXT NOT NULL,
    PRIMARY KEY (proposal_id, version)
);

CREATE TABLE proposal_implications (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    text        TEXT NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES members(id),
    at          TEXT NOT NULL
);
CREATE INDEX proposal_implications_proposal ON proposal_implications(proposal_id, id);

CREATE TABLE proposal_positions (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    version     INTEGER NOT NULL,
    stance      TEXT NOT NULL CHECK (stance IN ('consent', 'concern', 'objection', 'abstain')),
    text        TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX proposal_positions_member ON proposal_positions(proposal_id, member_id, id);

CREATE TABLE proposal_outcomes (
    proposal_id INTEGER PRIMARY KEY REFERENCES proposals(id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('adopted', 'withdrawn', 'not_adopted', 'expired')),
    statement   TEXT NOT NULL,
    review_on   TEXT NOT NULL DEFAULT '',        -- YYYY-MM-DD or ''
    author_id   INTEGER NOT NULL REFERENCES members(id),
    at          TEXT NOT NULL
);

CREATE TABLE proposal_actions (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    title       TEXT NOT NULL,
    owner_id    INTEGER NOT NULL REFERENCES members(id),
    due         TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX proposal_actions_proposal ON proposal_actions(proposal_id, id);

CREATE TABLE proposal_events (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    at          TEXT NOT NULL,
    actor_id    INTEGER NOT NULL REFERENCES members(id),
    kind        TEXT NOT NULL CHECK (kind IN ('opened', 'implication', 'position', 'objection', 'amended', 'closed')),
    text        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX proposal_events_at ON proposal_events(at, id);
CREATE INDEX proposal_events_proposal ON proposal_events(proposal_id, id);

-- The non-urgent messages entretien watch sends each member through their
-- contact methods about an event (opened, objection, closed): claimed once
-- per (event, member) under the watcher lease's epoch, then its outcome.
CREATE TABLE decision_notices (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES proposal_events(id),
    member_id  INTEGER NOT NULL REFERENCES members(id),
    claimed_at TEXT NOT NULL,
    epoch      INTEGER NOT NULL,
    delivered  INTEGER NOT NULL DEFAULT 0,
    outcome    TEXT NOT NULL DEFAULT '',       -- the methods tried and how each went
    UNIQUE (event_id, member_id)
);

-- Each member's seen mark: the last proposal event they were shown.
CREATE TABLE proposal_seen (
    member_id INTEGER PRIMARY KEY REFERENCES members(id),
    event_id  INTEGER NOT NULL
);
