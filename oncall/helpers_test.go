package oncall

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func openTemp(t *testing.T) (*SQLite, *clock) {
	t.Helper()
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "entretien.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: t0}
	st.Now = c.now
	return st, c
}

func mustMember(t *testing.T, st *SQLite, handle, tz string, osUsers ...string) Member {
	t.Helper()
	m, err := st.AddMember(context.Background(), Member{Handle: handle, Name: handle, TZ: tz, OSUsers: osUsers})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func wantValidation(t *testing.T, err error, field string) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want ValidationError on %s, got %v", field, err)
	}
	if ve.Field != field {
		t.Fatalf("want ValidationError on %s, got %v", field, err)
	}
}

func wantNotFound(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
}

// count returns the number of rows of table, to prove bad input wrote nothing.
func count(t *testing.T, st *SQLite, table string) int {
	t.Helper()
	var n int
	if err := st.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
