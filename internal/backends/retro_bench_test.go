package backends

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/pgtest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/dbcopy"
	"codeberg.org/entretien/entretien/oncall/postgres"
	"codeberg.org/entretien/entretien/oncall/sqlite"
	"codeberg.org/entretien/entretien/oncall/sqlstore"
)

// The retro of an incident whose timeline holds 100k entries, read from
// SQLite and from PostgreSQL (the same rows, copied by db copy's code);
// today's target is 200 ms.
func BenchmarkRetroOf100kEntries(b *testing.B) {
	const entries = 100_000
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "retro.db")
	lite, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer lite.Close()
	m, err := lite.AddMember(ctx, oncall.Member{Handle: "amelie", Name: "A", TZ: "Europe/Paris"})
	if err != nil {
		b.Fatal(err)
	}
	in, err := lite.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "a long night", Severity: 1, Affects: []string{"site/lyon"}})
	if err != nil {
		b.Fatal(err)
	}
	// Bulk, in one transaction: the store commits once per note.
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		b.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	ins, err := tx.Prepare(`INSERT INTO entries(incident_id, at, author_id, kind, text) VALUES (?, ?, ?, 'observation', ?)`)
	if err != nil {
		b.Fatal(err)
	}
	at := in.OpenedAt
	for i := range entries {
		at = at.Add(time.Second)
		if _, err := ins.Exec(in.ID, at.UTC().Format("2006-01-02T15:04:05.000000000Z"), m.ID, fmt.Sprintf("observation %d: the disk on lyon-1 still fills", i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	db.Close()

	pg, err := postgres.Open(ctx, pgtest.DSN(b))
	if err != nil {
		b.Fatal(err)
	}
	defer pg.Close()
	version := func(st *sqlstore.Store) int {
		v, err := st.Dialect().SchemaVersion(ctx, st.SQL())
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
	rep, err := dbcopy.Copy(ctx, lite.SQL(), pg.SQL(), version(lite), version(pg))
	if err != nil || !rep.OK() {
		b.Fatalf("copy: %v %+v", err, rep.Tables)
	}
	for _, c := range []struct {
		name string
		st   oncall.Store
	}{{"sqlite", lite}, {"postgres", pg}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				r, err := c.st.Retro(ctx, in.ID)
				if err != nil {
					b.Fatal(err)
				}
				if len(r.Timeline) < entries {
					b.Fatalf("timeline of %d", len(r.Timeline))
				}
			}
		})
	}
}
