// Package backends runs a test on every store backend: SQLite (a fresh
// file) and PostgreSQL (a fresh database on internal/pgtest's server), for
// the tests where the backend matters (concurrent writers, the rota's DST
// tables, swaps with consent, the care figures, the recorder's once-only).
package backends

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"codeberg.org/entretien/entretien/internal/pgtest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/postgres"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// Backend opens stores of one kind for a test.
type Backend struct {
	openAt func(ctx context.Context, where string) (oncall.Store, error)

	Name string // "sqlite" or "postgres"
	// Open opens a fresh, empty store, closed at the test's cleanup.
	Open func(t testing.TB) oncall.Store
	// Again opens another store on st's database, as another member's
	// process would; closed at the test's cleanup.
	Again func(t testing.TB, st oncall.Store) oncall.Store
	// Locator is st's --db / ENTRETIEN_DB, for a child process.
	Locator func(st oncall.Store) string
}

// ForEach runs fn as a subtest per backend, named after it. PostgreSQL
// skips when it is not installed (fails under CI=true: see pgtest).
func ForEach(t *testing.T, fn func(t *testing.T, b Backend)) {
	for _, b := range All() {
		t.Run(b.Name, func(t *testing.T) { fn(t, b) })
	}
}

// All is SQLite, then PostgreSQL.
func All() []Backend { return []Backend{SQLite(), Postgres()} }

// locators remembers where each store of a test lives.
var locators sync.Map // oncall.Store → string

func opened(t testing.TB, st oncall.Store, err error, where string) oncall.Store {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	locators.Store(st, where)
	t.Cleanup(func() {
		locators.Delete(st)
		st.Close()
	})
	return st
}

func locator(st oncall.Store) string {
	v, ok := locators.Load(st)
	if !ok {
		panic("backends: a store not opened by this package")
	}
	return v.(string)
}

// SQLite is a fresh file in the test's temp dir.
func SQLite() Backend {
	openAt := func(ctx context.Context, path string) (oncall.Store, error) { return sqlite.Open(ctx, path) }
	open := func(t testing.TB, path string) oncall.Store {
		t.Helper()
		st, err := openAt(context.Background(), path)
		return opened(t, st, err, path)
	}
	return Backend{
		openAt:  openAt,
		Name:    oncall.BackendSQLite,
		Open:    func(t testing.TB) oncall.Store { return open(t, filepath.Join(t.TempDir(), "entretien.db")) },
		Again:   func(t testing.TB, st oncall.Store) oncall.Store { return open(t, locator(st)) },
		Locator: locator,
	}
}

// Postgres is a fresh database on the test binary's PostgreSQL.
func Postgres() Backend {
	openAt := func(ctx context.Context, dsn string) (oncall.Store, error) { return postgres.Open(ctx, dsn) }
	open := func(t testing.TB, dsn string) oncall.Store {
		t.Helper()
		st, err := openAt(context.Background(), dsn)
		return opened(t, st, err, dsn)
	}
	return Backend{
		openAt:  openAt,
		Name:    oncall.BackendPostgres,
		Open:    func(t testing.TB) oncall.Store { return open(t, pgtest.DSN(t)) },
		Again:   func(t testing.TB, st oncall.Store) oncall.Store { return open(t, locator(st)) },
		Locator: locator,
	}
}
