// Package pgclustertest starts a Patroni-managed PostgreSQL cluster for a
// test (pgcluster kept free of the testing package).
package pgclustertest

import (
	"context"
	"os"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/pgcluster"
)

// Require starts a cluster or skips the test with what to install, except
// under CI=true where a missing piece fails it. Stopped at cleanup.
func Require(t testing.TB, o pgcluster.Options) *pgcluster.Cluster {
	t.Helper()
	if o.AgentsDir == "" {
		o.AgentsDir = devcluster.AgentsDir()
	}
	if err := pgcluster.Check(o.AgentsDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgcluster: %v (CI=true: the failover tests must run)", err)
		}
		t.Skip(err.Error())
	}
	if o.Log == nil {
		o.Log = t.Output()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	c, err := pgcluster.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("pgcluster: stop: %v", err)
		}
	})
	return c
}
