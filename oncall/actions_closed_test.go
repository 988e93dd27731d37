package oncall

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// The closer is whoever sets the state, not the owner; reopening forgets it.
func TestUpdateActionRecordsCloser(t *testing.T) {
	ctx := context.Background()
	st, clk := openTemp(t)
	mustMember(t, st, "amelie", "Europe/Paris")
	mustMember(t, st, "lucas", "Europe/Paris")
	mustMember(t, st, "chloe", "Europe/Paris")
	inc, _ := st.OpenIncident(ctx, "amelie", NewIncident{Title: "x", Severity: 3})
	a, err := st.AddAction(ctx, inc.ID, "amelie", NewAction{Title: "disk alert", Owner: "amelie"})
	if err != nil || !a.ClosedAt.IsZero() || a.ClosedBy != "" {
		t.Fatalf("new action %+v %v", a, err)
	}
	wantClosed := func(got ActionItem, by string, at time.Time) {
		t.Helper()
		if got.ClosedBy != by || !got.ClosedAt.Equal(at) {
			t.Fatalf("closed by %q at %v, want %q at %v", got.ClosedBy, got.ClosedAt, by, at)
		}
		// The same through the read paths, not only the returned value.
		again, err := st.Action(ctx, got.ID)
		if err != nil || again.ClosedBy != by || !again.ClosedAt.Equal(at) {
			t.Fatalf("stored closer %+v %v, want %q at %v", again, err, by, at)
		}
	}

	clk.add(time.Hour)
	got, err := st.UpdateAction(ctx, a.ID, "lucas", ActionDoing, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantClosed(got, "", time.Time{}) // doing is not closed

	clk.add(time.Hour)
	closed := clk.t
	if got, err = st.UpdateAction(ctx, a.ID, "lucas", ActionDone, nil, nil); err != nil {
		t.Fatal(err)
	}
	wantClosed(got, "lucas", closed) // lucas closed amelie's item

	// Setting done again, or changing only the due date, keeps the closer.
	clk.add(time.Hour)
	if got, err = st.UpdateAction(ctx, a.ID, "chloe", ActionDone, nil, nil); err != nil {
		t.Fatal(err)
	}
	wantClosed(got, "lucas", closed)
	due := "2026-05-01"
	if got, err = st.UpdateAction(ctx, a.ID, "chloe", "", nil, &due); err != nil || got.Due != due {
		t.Fatalf("due %+v %v", got, err)
	}
	wantClosed(got, "lucas", closed)

	clk.add(time.Hour)
	if got, err = st.UpdateAction(ctx, a.ID, "amelie", ActionOpen, nil, nil); err != nil {
		t.Fatal(err)
	}
	wantClosed(got, "", time.Time{}) // reopened: no closer any more

	clk.add(time.Hour)
	dropped := clk.t
	if got, err = st.UpdateAction(ctx, a.ID, "chloe", ActionDropped, nil, nil); err != nil {
		t.Fatal(err)
	}
	wantClosed(got, "chloe", dropped) // dropped is closed too

	// done after dropped is a new decision, by a new closer.
	clk.add(time.Hour)
	if got, err = st.UpdateAction(ctx, a.ID, "amelie", ActionDone, nil, nil); err != nil {
		t.Fatal(err)
	}
	wantClosed(got, "amelie", clk.t)
	list, err := st.Actions(ctx, ActionFilter{})
	if err != nil || len(list) != 1 || list[0].ClosedBy != "amelie" || !list[0].ClosedAt.Equal(clk.t) {
		t.Fatalf("Actions %+v %v", list, err)
	}

	// An unknown member changes nothing.
	before := clk.t
	clk.add(time.Hour)
	_, err = st.UpdateAction(ctx, a.ID, "ghost", ActionOpen, nil, nil)
	wantNotFound(t, err)
	_, err = st.UpdateAction(ctx, a.ID, "", ActionOpen, nil, nil)
	wantNotFound(t, err)
	if got, _ := st.Action(ctx, a.ID); got.State != ActionDone || !got.UpdatedAt.Equal(before) {
		t.Fatalf("refused update wrote: %+v", got)
	}
}

// A database at schema v3 with an item already done upgrades with nothing
// guessed: the closer stays unknown until the item is closed again.
func TestActionClosedMigrationBackfillsNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v3.db")
	db, err := sql.Open("sqlite3", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil || len(ms) < 4 || ms[3].name != "0004_action_closed.sql" {
		t.Fatalf("migrations %v", err)
	}
	for _, m := range ms[:3] {
		if err := applyMigration(ctx, db, m); err != nil {
			t.Fatal(err)
		}
	}
	ts := encodeTime(t0)
	for _, q := range []string{
		`INSERT INTO members(id, handle, name, tz, created_at) VALUES (1, 'amelie', 'amelie', 'UTC', '` + ts + `')`,
		`INSERT INTO incidents(id, title, severity, status, opened_at, opened_by, updated_at) VALUES (1, 'x', 2, 'resolved', '` + ts + `', 1, '` + ts + `')`,
		`INSERT INTO action_items(id, incident_id, title, owner_id, state, created_at, created_by, updated_at) VALUES (1, 1, 'old', 1, 'done', '` + ts + `', 1, '` + ts + `')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.Action(ctx, 1)
	if err != nil || a.State != ActionDone || a.ClosedBy != "" || !a.ClosedAt.IsZero() {
		t.Fatalf("upgraded item %+v %v", a, err)
	}
}
