package sources

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"entretien/internal/devcluster"
)

// TestIntegrationDevCluster follows real Nomad and Consul agents (built by
// `make agents`; skipped when missing, failed under CI=true).
func TestIntegrationDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts real agents")
	}
	// The watcher must use only what we pass, not the caller's environment.
	for _, k := range []string{"NOMAD_ADDR", "NOMAD_TOKEN", "NOMAD_REGION", "NOMAD_NAMESPACE", "CONSUL_HTTP_ADDR", "CONSUL_HTTP_TOKEN"} {
		t.Setenv(k, "")
	}
	c := devcluster.Require(t, devcluster.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}

	w, err := New(Config{NomadAddr: c.NomadAddr(), ConsulAddr: c.ConsulAddr(), SiteKey: "meta.site"})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })

	if err := c.WaitSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	s := waitFor(t, w, 60*time.Second, "seeded state", seededProblem)
	t.Logf("seeded: region %q, dc %q, %d jobs, %d allocs, %d instances, sites %v",
		s.Nomad.Region, s.Consul.Datacenter, len(s.Nomad.Jobs), len(s.Nomad.Allocs), len(s.Consul.Instances), siteNames(s))
	if s.Nomad.Region != "global" || s.Consul.Datacenter == "" {
		t.Errorf("region %q / datacenter %q", s.Nomad.Region, s.Consul.Datacenter)
	}
	for site, host := range map[string]string{"paris": "amelie", "lyon": "lucas", "bruxelles": "chloe"} {
		if st := siteOf(t, s, site); !slices.Contains(mapValues(st.Hosts), host) {
			t.Errorf("site %s hosts = %v, want %s", site, st.Hosts, host)
		}
	}

	// Consul goes away: its part turns stale with an error and keeps the
	// last good data; Nomad's part stays live.
	if err := c.StopConsul(); err != nil {
		t.Fatal(err)
	}
	s = waitFor(t, w, 30*time.Second, "consul stale", func(s *Snapshot) string {
		if s.Consul.Err == nil || !s.Consul.Stale() {
			return "consul not reported down"
		}
		return ""
	})
	t.Logf("consul down: %v", s.Consul.Err)
	if !strings.Contains(s.Consul.Err.Error(), "consul") || strings.Contains(s.Consul.Err.Error(), "nomad") {
		t.Errorf("consul error unclear: %v", s.Consul.Err)
	}
	if s.Nomad.Err != nil || s.Nomad.Stale() || len(s.Nomad.Jobs) < 3 || len(s.Nomad.Allocs) == 0 {
		t.Errorf("nomad part hurt by consul outage: err %v, %d jobs, %d allocs", s.Nomad.Err, len(s.Nomad.Jobs), len(s.Nomad.Allocs))
	}
	if len(s.Consul.Instances) == 0 || s.Consul.Updated.IsZero() {
		t.Errorf("last good consul data dropped: %d instances, updated %v", len(s.Consul.Instances), s.Consul.Updated)
	}
	downSince := s.Consul.Updated

	// Consul comes back (empty, -dev): the same watcher recovers once the
	// Nomad clients registered their services again.
	if err := c.StartConsul(); err != nil {
		t.Fatal(err)
	}
	s = waitFor(t, w, 120*time.Second, "consul recovered", func(s *Snapshot) string {
		if s.Consul.Err != nil || s.Consul.Stale() {
			return fmt.Sprintf("consul still failing: %v", s.Consul.Err)
		}
		return seededProblem(s)
	})
	if !s.Consul.Updated.After(downSince) {
		t.Errorf("consul Updated %v not after outage start %v", s.Consul.Updated, downSince)
	}
}

// seededProblem describes what the snapshot still lacks of the seeded
// state ("" when complete).
func seededProblem(s *Snapshot) string {
	if s.Nomad.Err != nil || s.Consul.Err != nil {
		return fmt.Sprintf("errors: nomad %v, consul %v", s.Nomad.Err, s.Consul.Err)
	}
	var named []string
	for _, st := range s.Sites {
		if st.Name != "" {
			named = append(named, st.Name)
		}
	}
	if !slices.Equal(named, []string{"bruxelles", "lyon", "paris"}) {
		return fmt.Sprintf("sites %v", named)
	}
	allocs := map[string]Alloc{}
	for _, a := range s.Nomad.Allocs {
		allocs[a.ID] = a
	}
	for _, st := range s.Sites {
		if st.Name == "" {
			continue
		}
		if st.NodesUp < 1 || len(st.Hosts) == 0 {
			return fmt.Sprintf("site %s: %d nodes up, hosts %v", st.Name, st.NodesUp, st.Hosts)
		}
		if !slices.ContainsFunc(s.Consul.Instances, func(in ServiceInstance) bool {
			return in.Service == "garage" && in.Status == StatusPassing && in.Site == st.Name &&
				allocs[in.AllocID].JobID == "garage"
		}) {
			return "no passing garage instance in " + st.Name
		}
	}
	if lyon := siteByName(s, "lyon"); lyon.ServicesCritical < 1 {
		return "lyon: no critical service"
	}
	if !slices.ContainsFunc(s.Consul.Instances, func(in ServiceInstance) bool {
		a := allocs[in.AllocID]
		return in.Service == "guichet" && in.Status == StatusCritical && in.Site == "lyon" && a.JobID == "guichet" && a.Site == "lyon"
	}) {
		return "no critical guichet instance tied to a lyon alloc of job guichet"
	}
	if paris := siteByName(s, "paris"); paris.AllocsFailed < 1 {
		return "paris: no failed alloc"
	}
	if !slices.ContainsFunc(s.Nomad.Allocs, func(a Alloc) bool {
		return a.JobID == "backup" && a.ClientStatus == "failed" && a.Site == "paris" && a.Datacenter == "paris"
	}) {
		return "no failed backup alloc in paris"
	}
	for _, job := range []string{"garage", "guichet", "backup"} {
		if !slices.ContainsFunc(s.Nomad.Jobs, func(j Job) bool { return j.ID == job }) {
			return "missing job " + job
		}
	}
	return ""
}

func siteByName(s *Snapshot, name string) Site {
	for _, st := range s.Sites {
		if st.Name == name {
			return st
		}
	}
	return Site{}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// waitFor waits on Updates (with a periodic re-check) until problem(s) is
// empty, failing with the last problem after d.
func waitFor(t *testing.T, w *Watcher, d time.Duration, what string, problem func(*Snapshot) string) *Snapshot {
	t.Helper()
	deadline := time.After(d)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		s := w.Snapshot()
		p := problem(s)
		if p == "" {
			return s
		}
		select {
		case <-deadline:
			t.Fatalf("waiting for %s: %s", what, p)
		case <-w.Updates():
		case <-tick.C:
		}
	}
}
