package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlstore"
)

// older is a database at schema version v at path, with its rows inserted
// by the SQL in rows, as an older entretien left it.
func older(t *testing.T, path string, v int, rows ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := createDBFile(path); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := sqlstore.MigrateTo(ctx, db, &Dialect{path: path}, v); err != nil {
		t.Fatal(err)
	}
	for _, q := range rows {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// A database at schema v3 with an item already done upgrades with nothing
// guessed: the closer stays unknown until the item is closed again.
func TestActionClosedMigrationBackfillsNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v3.db")
	if ms, err := fs.Glob((&Dialect{}).Migrations(), "*.sql"); err != nil || len(ms) < 4 || ms[3] != "0004_action_closed.sql" {
		t.Fatalf("migrations %v %v", ms, err)
	}
	ts := t0.UTC().Format("2006-01-02T15:04:05.000000000Z")
	older(t, path, 3,
		`INSERT INTO members(id, handle, name, tz, created_at) VALUES (1, 'amelie', 'amelie', 'UTC', '`+ts+`')`,
		`INSERT INTO incidents(id, title, severity, status, opened_at, opened_by, updated_at) VALUES (1, 'x', 2, 'resolved', '`+ts+`', 1, '`+ts+`')`,
		`INSERT INTO action_items(id, incident_id, title, owner_id, state, created_at, created_by, updated_at) VALUES (1, 1, 'old', 1, 'done', '`+ts+`', 1, '`+ts+`')`,
	)
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.Action(ctx, 1)
	if err != nil || a.State != oncall.ActionDone || a.ClosedBy != "" || !a.ClosedAt.IsZero() {
		t.Fatalf("upgraded item %+v %v", a, err)
	}
}

// A database at schema v7 keeps its status entries as text only: the
// upgrade reads their change once, and the OS users keep their order.
func TestStatusChangeMigrationBackfills(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v7.db")
	ts := t0.UTC().Format("2006-01-02T15:04:05.000000000Z")
	older(t, path, 7,
		`INSERT INTO members(id, handle, name, tz, created_at) VALUES (1, 'amelie', 'amelie', 'UTC', '`+ts+`')`,
		`INSERT INTO member_os_users(os_user, member_id) VALUES ('zed', 1), ('amelie', 1)`,
		`INSERT INTO incidents(id, title, severity, status, opened_at, opened_by, updated_at) VALUES (1, 'x', 2, 'resolved', '`+ts+`', 1, '`+ts+`')`,
		`INSERT INTO entries(id, incident_id, at, author_id, kind, text) VALUES
			(1, 1, '`+ts+`', 1, 'status', 'open → acknowledged'),
			(2, 1, '`+ts+`', 1, 'observation', 'not a change → at all'),
			(3, 1, '`+ts+`', 1, 'status', 'acknowledged → resolved')`,
	)
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, err := st.Entries(ctx, 1)
	if err != nil || len(es) != 3 {
		t.Fatalf("entries %+v %v", es, err)
	}
	if es[0].From != oncall.StatusOpen || es[0].To != oncall.StatusAcknowledged ||
		es[1].From != "" || es[1].To != "" ||
		es[2].From != oncall.StatusAcknowledged || es[2].To != oncall.StatusResolved {
		t.Fatalf("backfilled changes %+v", es)
	}
	m, err := st.Member(ctx, "amelie")
	if err != nil || len(m.OSUsers) != 2 || m.OSUsers[0] != "zed" || m.OSUsers[1] != "amelie" {
		t.Fatalf("os users after the upgrade %+v %v", m.OSUsers, err)
	}
}
