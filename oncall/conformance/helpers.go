package conformance

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func openTemp(t *testing.T, open Opener) (oncall.Store, *clock) {
	t.Helper()
	st := open(t)
	c := &clock{t: t0}
	st.SetClock(c.now)
	return st, c
}

func mustMember(t *testing.T, st oncall.Store, handle, tz string, osUsers ...string) oncall.Member {
	t.Helper()
	m, err := st.AddMember(context.Background(), oncall.Member{Handle: handle, Name: handle, TZ: tz, OSUsers: osUsers})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func wantValidation(t *testing.T, err error, field string) {
	t.Helper()
	var ve *oncall.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want ValidationError on %s, got %v", field, err)
	}
	if ve.Field != field {
		t.Fatalf("want ValidationError on %s, got %v", field, err)
	}
}

func wantNotFound(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, oncall.ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
}

// count returns the number of rows of table, to prove bad input wrote nothing.
func count(t *testing.T, st oncall.Store, table string) int {
	t.Helper()
	var n int
	db, ok := st.(interface{ SQL() *sql.DB })
	if !ok {
		t.Fatalf("count %s: the store has no SQL() *sql.DB to count rows with", table)
	}
	if err := db.SQL().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func utc(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

func weekly() oncall.Rotation {
	return oncall.Rotation{Name: "primary", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: oncall.Weeks, Handoff: "10:00",
		Start: utc(2026, 3, 23, 9, 0), Participants: []string{"a", "b", "c"}}
}
