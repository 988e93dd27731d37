package postgres

import (
	"context"
	"sync"
	"testing"

	"codeberg.org/entretien/entretien/internal/pgtest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/conformance"
	"codeberg.org/entretien/entretien/oncall/sqlstore"
)

// dsns remembers each test store's DSN, for a second store on its database.
var dsns sync.Map

func openAt(t *testing.T, dsn string) *sqlstore.Store {
	t.Helper()
	st, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	dsns.Store(st, dsn)
	t.Cleanup(func() {
		dsns.Delete(st)
		st.Close()
	})
	return st
}

func openFresh(t *testing.T) oncall.Store { return openAt(t, pgtest.DSN(t)) }

func reopen(t *testing.T, st oncall.Store) oncall.Store {
	dsn, ok := dsns.Load(st)
	if !ok {
		t.Fatal("reopen: not a store of this test")
	}
	return openAt(t, dsn.(string))
}

func TestConformance(t *testing.T) {
	conformance.Run(t, openFresh, reopen)
}
