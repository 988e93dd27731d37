-- Schema v3: the journal around an incident: roles held over time, cluster
-- transitions captured into the timeline, retro notes and action items.

-- A role is held from taken_at until left_at (NULL while held). A member
-- holds a given role once at a time; lead and scribe have one holder at a time.
CREATE TABLE incident_roles (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL REFERENCES members(id),
    role        TEXT NOT NULL CHECK (role IN ('lead', 'scribe', 'helper')),
    taken_at    TEXT NOT NULL,
    left_at     TEXT CHECK (left_at IS NULL OR left_at >= taken_at)
);
CREATE INDEX incident_roles_incident ON incident_roles(incident_id, taken_at, id);
CREATE UNIQUE INDEX incident_roles_held ON incident_roles(incident_id, role, member_id) WHERE left_at IS NULL;
CREATE UNIQUE INDEX incident_roles_single ON incident_roles(incident_id, role)
    WHERE left_at IS NULL AND role IN ('lead', 'scribe');

-- A cluster transition recorded into an incident's timeline, beside the
-- system entry that shows it. UNIQUE(incident_id, key): two watchers seeing
-- the same change write it once.
CREATE TABLE captured_transitions (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    entry_id    INTEGER NOT NULL UNIQUE REFERENCES entries(id),
    key         TEXT NOT NULL,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    site        TEXT NOT NULL DEFAULT '',
    from_state  TEXT NOT NULL DEFAULT '',
    to_state    TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL,  -- consul or nomad
    recorded_by TEXT NOT NULL,  -- the process that wrote it: watch@host, tui@user
    recorded_at TEXT NOT NULL,
    UNIQUE (incident_id, key)
);

-- Retro sections are lists: several contributing factors, never one root cause.
CREATE TABLE retro_notes (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    section     TEXT NOT NULL CHECK (section IN ('summary', 'impact', 'factor', 'went_well', 'was_hard')),
    text        TEXT NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES members(id),
    at          TEXT NOT NULL
);
CREATE INDEX retro_notes_incident ON retro_notes(incident_id, section, id);

-- Action items outlive the retro: their state is tracked afterwards.
CREATE TABLE action_items (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    owner_id    INTEGER REFERENCES members(id),  -- NULL: nobody yet
    due         TEXT NOT NULL DEFAULT '',        -- YYYY-MM-DD, or '' for no date
    state       TEXT NOT NULL CHECK (state IN ('open', 'doing', 'done', 'dropped')),
    created_at  TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES members(id),
    updated_at  TEXT NOT NULL
);
CREATE INDEX action_items_incident ON action_items(incident_id, id);
CREATE INDEX action_items_state ON action_items(state, due);
