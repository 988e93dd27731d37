package pgcluster_test

import (
	"context"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"

	"codeberg.org/entretien/entretien/deploy/policies"
	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"
	"codeberg.org/entretien/entretien/internal/pgcluster"
	"codeberg.org/entretien/entretien/internal/pgcluster/pgclustertest"
)

func psql(t *testing.T, c *pgcluster.Cluster, dsn, sql string) (string, error) {
	t.Helper()
	return c.Psql(dsn, sql)
}

// The harness is what the failover tests stand on: a leader and a sync
// standby; a write acknowledged on the primary survives its SIGKILL; the
// standby is promoted; the killed member, restarted, follows again.
func TestFailoverKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Patroni and PostgreSQL")
	}
	c := pgclustertest.Require(t, pgcluster.Options{})
	ctx := context.Background()
	first, err := c.Primary(ctx)
	if err != nil || first == "" {
		t.Fatalf("primary = %q, %v", first, err)
	}
	if _, err := psql(t, c, c.DSN("postgres"), "CREATE TABLE notes(id text PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	if out, err := psql(t, c, c.DSN("postgres"), "INSERT INTO notes VALUES ('before the tree fell')"); err != nil {
		t.Fatalf("insert: %v: %s", err, out)
	}
	// Nothing must answer on the killed member's port.
	if err := c.Kill(first); err != nil {
		t.Fatal(err)
	}
	if _, err := psql(t, c, c.MemberDSN(first, "postgres"), "SELECT 1"); err == nil {
		t.Fatalf("%s still answers after Kill", first)
	}
	start := time.Now()
	next, err := c.WaitPrimary(ctx, first, 3*c.TTL())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s promoted %s after %s killed (ttl %s)", next, time.Since(start).Round(100*time.Millisecond), first, c.TTL())
	got, err := psql(t, c, c.DSN("postgres"), "SELECT id FROM notes")
	if err != nil || got != "before the tree fell" {
		t.Fatalf("on the new primary: %q, %v", got, err)
	}
	if err := c.Restart(first); err != nil {
		t.Fatal(err)
	}
	err = c.WaitState(ctx, first+" following "+next, 2*time.Minute, func(ms []pgcluster.Member) bool {
		for _, m := range ms {
			if m.Name == first {
				return m.Role != "leader" && (m.State == "running" || m.State == "streaming")
			}
		}
		return false
	})
	if err != nil {
		t.Fatal(err)
	}
	// Patroni may still restart it once (pg_rewind onto the new timeline):
	// ask until it answers, as a standby.
	deadline := time.Now().Add(time.Minute)
	for {
		got, err = psql(t, c, c.MemberDSN(first, "postgres"), "SELECT pg_is_in_recovery()")
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if err != nil || got != "t" {
		t.Fatalf("restarted %s: in recovery = %q, %v", first, got, err)
	}
}

// The recipe's Consul policy (deploy/policies/consul-patroni.hcl) is
// enough for Patroni on a Consul with ACLs (default deny) and TLS: the dev
// cluster's, as a collective's bastions would use theirs.
func TestPatroniOnTheSecureDevClusterWithTheRecipePolicy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a dev cluster, Patroni and PostgreSQL")
	}
	dc := devclustertest.Require(t, devcluster.Options{Secure: true})
	tok, err := dc.CreateConsulToken(context.Background(), "patroni", policies.ConsulPatroni)
	if err != nil {
		t.Fatal(err)
	}
	c := pgclustertest.Require(t, pgcluster.Options{ConsulAddr: dc.ConsulAddr(), ConsulToken: tok, ConsulCACert: dc.TLS().CACert})
	ms, err := c.Members(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{}
	for _, m := range ms {
		roles[m.Name] = m.Role
	}
	if len(roles) != 2 || (roles["paris"] != "leader" && roles["lyon"] != "leader") {
		t.Fatalf("members %v: want a leader and a sync standby", roles)
	}
	// The leader key is in the dev cluster's Consul, under the policy's prefix.
	cfg := consulapi.DefaultConfig()
	cfg.Address, cfg.Scheme, cfg.Token, cfg.TLSConfig.CAFile = dc.ConsulAddr(), "https", dc.Tokens().Management.Consul, dc.TLS().CACert
	cl, err := consulapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	kv, _, err := cl.KV().Get("service/entretien/leader", nil)
	if err != nil || kv == nil {
		t.Fatalf("leader key: %v, %v", kv, err)
	}
	if got := string(kv.Value); roles[got] != "leader" {
		t.Fatalf("leader key says %q, members %v", got, roles)
	}
}
