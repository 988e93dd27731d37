-- Schema v2: rota (overrides, swaps, leave, availability, handoff notes, on-call history).
-- Times are TEXT in the fixed-width UTC layout of timefmt.go; ranges are half-open [start, end).

-- "covering covers covered on rotation from start to end". A swap is two rows
-- sharing swap_id (the id of its first row). Each party's consent is its
-- own *_ok_at; the proposer's is set at proposal. confirmed when both are set.
CREATE TABLE overrides (
    id            INTEGER PRIMARY KEY,
    rotation_id   INTEGER NOT NULL REFERENCES rotations(id) ON DELETE CASCADE,
    covering_id   INTEGER NOT NULL REFERENCES members(id),
    covered_id    INTEGER NOT NULL REFERENCES members(id),
    start_at      TEXT NOT NULL,
    end_at        TEXT NOT NULL,
    swap_id       INTEGER,
    status        TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'declined', 'cancelled')),
    proposed_by   INTEGER NOT NULL REFERENCES members(id),
    proposed_at   TEXT NOT NULL,
    covering_ok_at TEXT,
    covered_ok_at  TEXT,
    closed_by     INTEGER REFERENCES members(id), -- who declined or cancelled
    closed_at     TEXT,
    note          TEXT NOT NULL DEFAULT '',
    CHECK (start_at < end_at),
    CHECK (covering_id <> covered_id)
);
CREATE INDEX overrides_rotation ON overrides(rotation_id, status, start_at);

CREATE TABLE leave (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    start_at   TEXT NOT NULL,
    end_at     TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL REFERENCES members(id),
    created_at TEXT NOT NULL,
    CHECK (start_at < end_at)
);
CREATE INDEX leave_member ON leave(member_id, start_at);

-- When a member can be reached, in the member's own zone: days is a 7-bit
-- mask (bit 0 = Sunday), start/end "HH:MM"; end <= start crosses midnight,
-- start = end is the whole day. A member without rows is always available.
CREATE TABLE availability (
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    days      INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),
    start_hm  TEXT NOT NULL,
    end_hm    TEXT NOT NULL,
    PRIMARY KEY (member_id, position)
);

-- Written by the outgoing member for the handoff at handoff_at.
CREATE TABLE handoff_notes (
    id          INTEGER PRIMARY KEY,
    rotation_id INTEGER NOT NULL REFERENCES rotations(id) ON DELETE CASCADE,
    handoff_at  TEXT NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES members(id),
    written_at  TEXT NOT NULL,
    text        TEXT NOT NULL
);
CREATE INDEX handoff_notes_rotation ON handoff_notes(rotation_id, handoff_at);

-- Who really held the pager: past intervals (overrides applied) frozen when
-- first read, so later edits to a rotation or its overrides never rewrite them.
-- history_marks.until is the end of the last recorded interval per rotation.
CREATE TABLE oncall_history (
    rotation_id INTEGER NOT NULL REFERENCES rotations(id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL REFERENCES members(id),
    start_at    TEXT NOT NULL,
    end_at      TEXT NOT NULL,
    covered_id  INTEGER REFERENCES members(id), -- set when held for someone else
    override_id INTEGER,
    PRIMARY KEY (rotation_id, start_at)
);
CREATE INDEX oncall_history_time ON oncall_history(start_at);

CREATE TABLE history_marks (
    rotation_id INTEGER PRIMARY KEY REFERENCES rotations(id) ON DELETE CASCADE,
    until       TEXT NOT NULL
);
