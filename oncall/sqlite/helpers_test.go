package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/conformance"
	"codeberg.org/entretien/entretien/oncall/sqlstore"
)

// The store's behaviour, on a fresh file per test; a second store on the
// same file stands for another member's process.
func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) oncall.Store {
		return openTemp(t)
	}, func(t *testing.T, st oncall.Store) oncall.Store {
		other, err := Open(context.Background(), st.Describe())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		return other
	})
}

func openTemp(t *testing.T) *sqlstore.Store {
	t.Helper()
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "entretien.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func mustMember(t *testing.T, st oncall.Store, handle, tz string) {
	t.Helper()
	if _, err := st.AddMember(context.Background(), oncall.Member{Handle: handle, Name: handle, TZ: tz}); err != nil {
		t.Fatal(err)
	}
}

// count returns the number of rows of table.
func count(t *testing.T, st *sqlstore.Store, table string) int {
	t.Helper()
	var n int
	if err := st.SQL().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
