package care

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"codeberg.org/entretien/entretien/internal/pgtest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/dbcopy"
	"codeberg.org/entretien/entretien/oncall/postgres"
	"codeberg.org/entretien/entretien/oncall/sqlite"
	"codeberg.org/entretien/entretien/oncall/sqlstore"
)

// synthStores writes the synthetic world into a SQLite file and copies it
// (db copy's code: ids kept, verified) into a fresh PostgreSQL database.
func synthStores(tb testing.TB, w synthWorld) (lite, pg *sqlstore.Store) {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "synth.db")
	w.writeDB(tb, path)
	lite, err := sqlite.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { lite.Close() })
	pg, err = postgres.Open(ctx, pgtest.DSN(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pg.Close() })
	sv, _ := lite.Dialect().SchemaVersion(ctx, lite.SQL())
	dv, _ := pg.Dialect().SchemaVersion(ctx, pg.SQL())
	rep, err := dbcopy.Copy(ctx, lite.SQL(), pg.SQL(), sv, dv)
	if err != nil {
		tb.Fatal(err)
	}
	if !rep.OK() {
		tb.Fatalf("the copy differs: %+v", rep.Tables)
	}
	return lite, pg
}

// The synthetic year copied to PostgreSQL loads and computes to the same
// care table as from SQLite.
func TestSyntheticYearOnPostgres(t *testing.T) {
	w := synthYear(6, 40, 12)
	lite, pg := synthStores(t, w)
	from, to := utc(2025, 4, 1, 0, 0), utc(2025, 10, 1, 0, 0)
	var tables []Table
	for _, st := range []oncall.Store{lite, pg} {
		f, err := Load(context.Background(), st, from, to)
		if err != nil {
			t.Fatal(err)
		}
		f.Machines = w.facts.Machines
		tables = append(tables, Compute(f, from, to))
	}
	if !reflect.DeepEqual(tables[0], tables[1]) {
		t.Fatalf("the care table differs:\nsqlite   %+v\npostgres %+v", tables[0], tables[1])
	}
	if tables[0].Balance[FigureIndex(EntriesWritten)].Total == 0 {
		t.Fatal("synthetic history too thin to compare")
	}
}

// The care table of a year (15 members, 500 incidents, 20k entries) read
// from each backend: today's target is 200 ms.
func BenchmarkLoadComputeBackends(b *testing.B) {
	w := synthYear(15, 500, 40)
	lite, pg := synthStores(b, w)
	for _, c := range []struct {
		name string
		st   oncall.Store
	}{{"sqlite", lite}, {"postgres", pg}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				f, err := Load(context.Background(), c.st, synthFrom, synthTo)
				if err != nil {
					b.Fatal(err)
				}
				f.Machines = w.facts.Machines
				Compute(f, synthFrom, synthTo)
			}
		})
	}
}
