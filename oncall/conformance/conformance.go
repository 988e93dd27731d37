// Package conformance is the behaviour of oncall.Store as one suite, run
// against every backend: oncall/sqlite with a fresh file per test, the
// PostgreSQL backend with a fresh database.
package conformance

import (
	"context"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// Opener opens a fresh, empty store for t, closed by t's cleanup.
type Opener = func(t *testing.T) oncall.Store

// Reopener opens another store on st's database, as another member's
// process would, closed by t's cleanup.
type Reopener = func(t *testing.T, st oncall.Store) oncall.Store

// Run runs every test of the store contract, each as a subtest on its own
// store. reopen (one) is needed by the tests of several processes on one
// database; without it they fail, saying so.
func Run(t *testing.T, open Opener, reopen ...Reopener) {
	var re Reopener
	if len(reopen) > 0 {
		re = reopen[0]
	}
	// Tests that open a second store get it through the store they were
	// given: reopenFor finds the Reopener.
	withReopen := func(t *testing.T) oncall.Store {
		st := open(t)
		reopeners.Store(st, re)
		t.Cleanup(func() { reopeners.Delete(st) })
		return st
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, withReopen) })
	}
}

type testCase struct {
	name string
	fn   func(*testing.T, Opener)
}

// again opens another store on st's database (see Run).
func again(t *testing.T, st oncall.Store) oncall.Store {
	t.Helper()
	v, _ := reopeners.Load(st)
	re, _ := v.(Reopener)
	if re == nil {
		t.Fatal("conformance.Run was given no Reopener: this test needs a second store on the same database")
	}
	return re(t, st)
}

// wantChange waits for a change on ch.
func wantChange(t *testing.T, ch <-chan oncall.Change, within time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(within):
		t.Fatalf("no change seen within %v after %s", within, what)
	}
}

// noChange drains ch for d and fails on any change: a write that found
// nothing to do must commit nothing, or every TUI on the store reloads.
func noChange(t *testing.T, ch <-chan oncall.Change, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("a change was seen after %s", what)
	case <-time.After(d):
	}
}

// changes follows st's changes until t ends.
func changes(t *testing.T, st oncall.Store) <-chan oncall.Change {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return st.Changes(ctx)
}
