-- Schema v1: members, rotations, incidents, journal.
-- Times are TEXT in a fixed-width UTC layout (see timefmt.go) so they sort as text.
-- Later features (overrides/swaps, leave, handoff notes) get their own tables in
-- new numbered files referencing rotations(id) / members(id); nothing here needs
-- to change for them.

CREATE TABLE members (
    id         INTEGER PRIMARY KEY,
    handle     TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    tz         TEXT NOT NULL,
    contact    TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

-- Identity is the OS user running entretien; one member may own several.
CREATE TABLE member_os_users (
    os_user   TEXT PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE
);
CREATE INDEX member_os_users_member ON member_os_users(member_id);

CREATE TABLE rotations (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    tz          TEXT NOT NULL,
    shift_count INTEGER NOT NULL CHECK (shift_count > 0),
    shift_unit  TEXT NOT NULL CHECK (shift_unit IN ('hours', 'days', 'weeks')),
    handoff     TEXT NOT NULL DEFAULT '',
    start_at    TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Order matters: shift k belongs to participant k mod count.
CREATE TABLE rotation_participants (
    rotation_id INTEGER NOT NULL REFERENCES rotations(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    member_id   INTEGER NOT NULL REFERENCES members(id),
    PRIMARY KEY (rotation_id, position)
);

CREATE TABLE incidents (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    severity   INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 3),
    status     TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'mitigated', 'resolved', 'reviewed')),
    opened_at  TEXT NOT NULL,
    opened_by  INTEGER NOT NULL REFERENCES members(id),
    updated_at TEXT NOT NULL
);
CREATE INDEX incidents_status ON incidents(status, opened_at);

CREATE TABLE incident_affects (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    target      TEXT NOT NULL,
    PRIMARY KEY (incident_id, position),
    UNIQUE (incident_id, target)
);
CREATE INDEX incident_affects_target ON incident_affects(target);

-- The journal is append-only: a correction is a new entry pointing at the old one.
CREATE TABLE entries (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    author_id   INTEGER REFERENCES members(id), -- NULL for system entries
    kind        TEXT NOT NULL CHECK (kind IN ('observation', 'action', 'decision', 'question', 'handoff', 'status', 'system')),
    text        TEXT NOT NULL,
    amends      INTEGER REFERENCES entries(id)
);
CREATE INDEX entries_incident ON entries(incident_id, at, id);
