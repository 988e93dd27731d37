package sources

import (
	"context"
	"fmt"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/pgcluster"
	"codeberg.org/entretien/entretien/internal/pgcluster/pgclustertest"
)

// TestIntegrationStoreFollowsPatroni: the watcher reads the collective's
// replicated database from the keys real Patroni members keep in the dev
// cluster's Consul. Their roles as Patroni's own API reports them; the
// primary's site going dark (SIGKILL) shows as the store down or degraded,
// then the promoted standby as primary with the killed member gone (a
// "store" outage on its site); the member restarted, the outage clears.
func TestIntegrationStoreFollowsPatroni(t *testing.T) {
	dc := integrationCluster(t)
	pg := pgclustertest.Require(t, pgcluster.Options{ConsulAddr: dc.ConsulAddr()})
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	w := startWatcher(t, ctx, Config{NomadAddr: dc.NomadAddr(), ConsulAddr: dc.ConsulAddr(), SiteKey: "meta.site", PatroniScope: pg.Scope()})

	ms, err := pg.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{}
	for _, m := range ms {
		roles[m.Name] = map[string]string{"leader": RolePrimary, "sync_standby": RoleSyncStandby, "replica": RoleStandby}[m.Role]
	}
	s := waitFor(t, w, time.Minute, "the store as Patroni reports it", func(s *Snapshot) string {
		got := map[string]string{}
		for _, m := range s.Store.Members {
			got[m.Name] = m.Role
		}
		if st, _ := s.Store.Status(); st != SiteUp || fmt.Sprint(got) != fmt.Sprint(roles) {
			return fmt.Sprintf("store %+v, want roles %v", s.Store, roles)
		}
		return ""
	})
	first := s.Store.Leader
	if m, _ := s.Store.Member(first); m.Host == "" || m.Timeline == 0 {
		t.Errorf("primary %+v: host and timeline from its key", m)
	}

	if err := pg.Kill(first); err != nil {
		t.Fatal(err)
	}
	next, err := pg.WaitPrimary(ctx, first, 3*pg.TTL())
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, w, time.Minute, next+" primary, "+first+" gone", func(s *Snapshot) string {
		m, _ := s.Store.Member(first)
		if s.Store.Leader != next || m.State != "gone" {
			return fmt.Sprintf("store %+v", s.Store)
		}
		for _, o := range s.Outages {
			if o.Kind == "store" && o.Site == first && o.Status == SiteDegraded {
				return ""
			}
		}
		return fmt.Sprintf("no degraded store outage at %s: %+v", first, s.Outages)
	})

	if err := pg.Restart(first); err != nil {
		t.Fatal(err)
	}
	waitFor(t, w, 3*time.Minute, first+" back as a standby", func(s *Snapshot) string {
		m, _ := s.Store.Member(first)
		if !m.Up() || m.Role == RolePrimary || len(s.OutagesOf("store", pg.Scope())) != 0 {
			return fmt.Sprintf("store %+v, outages %+v", s.Store, s.Outages)
		}
		return ""
	})
}
