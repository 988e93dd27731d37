package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
	"codeberg.org/entretien/entretien/oncall/sqlstore"
)

// lostReply commits each write and then, for a write marked idempotent,
// runs it again as a dialect does when COMMIT's answer was lost in a
// failover. A stand-in, said so: no real server loses a reply on demand;
// the real failover is TestFailoverLosesNoAcknowledgedNote.
type lostReply struct {
	sqlstore.Dialect
	replayed int
}

func (d *lostReply) Write(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	if err := d.Dialect.Write(ctx, db, fn); err != nil || !sqlstore.IsIdempotent(ctx) {
		return err
	}
	d.replayed++
	return d.Dialect.Write(ctx, db, fn)
}

// A note or an amendment replayed after its commit landed is there once,
// and the writer gets the entry that landed.
func TestReplayedEntryPostsOnce(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "e.db")+"?_foreign_keys=on&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	d := &lostReply{Dialect: &sqlite.Dialect{}}
	st, err := sqlstore.New(ctx, db, d)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.AddMember(ctx, oncall.Member{Handle: "ana", Name: "Ana", TZ: "Europe/Paris"}); err != nil {
		t.Fatal(err)
	}
	inc, err := st.OpenIncident(ctx, "ana", oncall.NewIncident{Title: "a tree fell", Severity: 2})
	if err != nil {
		t.Fatal(err)
	}
	before := d.replayed
	e, err := st.AddEntry(ctx, inc.ID, "ana", oncall.KindObservation, "the paris line is cut")
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.AmendEntry(ctx, e.ID, "ana", "the paris line is cut since 03:10")
	if err != nil {
		t.Fatal(err)
	}
	if d.replayed-before != 2 {
		t.Fatalf("%d writes replayed, want the note and the amendment", d.replayed-before)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM entries WHERE text LIKE 'the paris line is cut%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d entries after two replayed writes, want 2", n)
	}
	got, err := st.Entries(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[int64]bool{}
	for _, g := range got {
		ids[g.ID] = true
	}
	if !ids[e.ID] || !ids[a.ID] || a.Amends != e.ID || e.ClientID == "" || e.ClientID == a.ClientID {
		t.Errorf("returned %+v and %+v, stored %+v", e, a, got)
	}
	// A write that is not marked is not replayed: a status change.
	before = d.replayed
	if err := st.SetStatus(ctx, inc.ID, "ana", oncall.StatusAcknowledged); err != nil {
		t.Fatal(err)
	}
	if d.replayed != before {
		t.Errorf("a status change was marked idempotent")
	}
}
