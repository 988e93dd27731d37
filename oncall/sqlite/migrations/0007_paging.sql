-- Schema v7: paging. Each member's contact methods in order; the paging
-- policy applied from its HCL file; outages as the pager follows them, the
-- pages sent for them (one per outage, step and member: UNIQUE key, so two
-- watchers never send the same page twice), each delivery attempt, the
-- acknowledgements; and the lease that says which watcher pages.

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,                 -- tried in this order
    method     TEXT NOT NULL CHECK (method IN ('email', 'webhook', 'command')),
    target     TEXT NOT NULL,                    -- address, URL or program
    preset     TEXT NOT NULL DEFAULT '' CHECK (preset IN ('', 'ntfy', 'json')),  -- webhooks only
    created_at TEXT NOT NULL,                    -- fixed-width UTC (timefmt.go)
    UNIQUE (member_id, position)
);

-- One row: the policy as applied (JSON of oncall.PagingPolicy), so apply
-- can tell unchanged from updated.
CREATE TABLE paging_policy (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    body       TEXT NOT NULL,
    applied_at TEXT NOT NULL
);

-- An outage episode as the pager sees it: subject "service/guichet@lyon".
-- One open episode per subject (two watchers share it).
CREATE TABLE paged_outages (
    id          INTEGER PRIMARY KEY,
    subject     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    site        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    host        TEXT NOT NULL DEFAULT '',        -- the member who hosts the machine
    rotation    TEXT NOT NULL DEFAULT '',        -- routed to, when first paged
    since       TEXT NOT NULL,
    clear_since TEXT,                            -- gone from the cluster since (NULL: still there)
    ended_at    TEXT,                            -- stayed clear for clear_after
    acked_at    TEXT,
    acked_by    INTEGER REFERENCES members(id),
    incident_id INTEGER REFERENCES incidents(id)
);
CREATE UNIQUE INDEX paged_outages_open ON paged_outages(subject) WHERE ended_at IS NULL;

CREATE TABLE pages (
    id         INTEGER PRIMARY KEY,
    outage_id  INTEGER NOT NULL REFERENCES paged_outages(id),
    step       INTEGER NOT NULL,                 -- 1.., or 0 for the resolved message
    member_id  INTEGER NOT NULL REFERENCES members(id),
    key        TEXT NOT NULL UNIQUE,             -- outage/step/member
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_by    TEXT NOT NULL,                    -- watch@host
    epoch      INTEGER NOT NULL,                 -- the lease epoch it was sent under
    delivered  INTEGER NOT NULL DEFAULT 0,       -- 1: a method delivered it
    journaled  INTEGER NOT NULL DEFAULT 0        -- 1: written into the outage's incident
);
CREATE INDEX pages_outage ON pages(outage_id, id);

CREATE TABLE deliveries (
    id      INTEGER PRIMARY KEY,
    page_id INTEGER NOT NULL REFERENCES pages(id),
    at      TEXT NOT NULL,
    method  TEXT NOT NULL,
    ok      INTEGER NOT NULL,
    error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deliveries_page ON deliveries(page_id, id);

-- The watcher lease: one row. A watcher pages only while it holds it; each
-- new holder bumps the epoch, and every page is written under the epoch
-- its writer holds, so a paused leader that wakes up is fenced off.
CREATE TABLE watcher_lease (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    holder     TEXT NOT NULL,
    epoch      INTEGER NOT NULL,
    expires_at TEXT NOT NULL
);
