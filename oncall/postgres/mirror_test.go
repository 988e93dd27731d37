package postgres

import (
	"context"
	"io/fs"
	"path/filepath"
	"reflect"
	"testing"

	"codeberg.org/entretien/entretien/internal/pgtest"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// The same migrations, by number and name, as SQLite: a step added to one
// backend alone fails here. Applied, both hold the same tables with the
// same columns in the same order.
func TestMigrationsMirrorSQLite(t *testing.T) {
	ours, _ := fs.Glob((&Dialect{}).Migrations(), "*.sql")
	theirs, _ := fs.Glob((&sqlite.Dialect{}).Migrations(), "*.sql")
	if !reflect.DeepEqual(ours, theirs) {
		t.Fatalf("migrations differ:\npostgres %v\nsqlite   %v", ours, theirs)
	}
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "e.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg := openAt(t, pgtest.DSN(t))
	liteCols := map[string][]string{}
	rows, err := lite.SQL().QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tb, c string
		rows.Scan(&tb, &c)
		liteCols[tb] = append(liteCols[tb], c)
	}
	rows.Close()
	pgCols := map[string][]string{}
	rows, err = pg.SQL().QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'entretien_schema' ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tb, c string
		rows.Scan(&tb, &c)
		pgCols[tb] = append(pgCols[tb], c)
	}
	rows.Close()
	if len(liteCols) < 20 || !reflect.DeepEqual(liteCols, pgCols) {
		t.Fatalf("schemas differ:\nsqlite   %v\npostgres %v", liteCols, pgCols)
	}
}
