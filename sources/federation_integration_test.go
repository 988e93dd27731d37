package sources

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
)

// TestIntegrationSecondDatacenter: a real second Consul datacenter joined
// over the WAN. Its instances come in with their datacenter through the
// local agent, placed in a site by their Consul node's meta; when its
// server stops, it alone turns stale, keeping its last good data, and the
// local datacenter stays fresh; once it is back, it is followed again.
func TestIntegrationSecondDatacenter(t *testing.T) {
	c := integrationCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const dc2 = "bruxelles-dc"
	addr, err := c.StartConsulDC(ctx, dc2)
	if err != nil {
		t.Fatal(err)
	}
	cc2, err := consulapi.NewClient(&consulapi.Config{Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	// A service of the other datacenter, failing: a TTL check set by hand.
	if err := cc2.Agent().ServiceRegister(&consulapi.AgentServiceRegistration{
		ID: "archive-1", Name: "archive", Address: "127.0.0.1", Port: 9000,
		Check: &consulapi.AgentServiceCheck{CheckID: "archive-ttl", Name: "archive disk", TTL: "10m"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := cc2.Agent().UpdateTTL("archive-ttl", "disk full on /srv/archive", consulapi.HealthCritical); err != nil {
		t.Fatal(err)
	}
	// And one registered without any check: no health check names it.
	if err := cc2.Agent().ServiceRegister(&consulapi.AgentServiceRegistration{
		ID: "mirror-1", Name: "mirror", Address: "127.0.0.2", Port: 9100, Tags: []string{"rsync"},
	}); err != nil {
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

	remote := func(s *Snapshot) (ConsulDatacenter, bool) {
		for _, d := range s.Consul.Datacenters {
			if d.Name == dc2 {
				return d, true
			}
		}
		return ConsulDatacenter{}, false
	}
	archive := func(s *Snapshot) (ServiceInstance, bool) {
		for _, in := range s.Consul.Instances {
			if in.Service == "archive" {
				return in, true
			}
		}
		return ServiceInstance{}, false
	}
	s := waitFor(t, w, 60*time.Second, "the other datacenter's instance", func(s *Snapshot) string {
		d, ok := remote(s)
		in, iok := archive(s)
		switch {
		case !ok || d.Local || d.Stale():
			return fmt.Sprintf("datacenters %+v", s.Consul.Datacenters)
		case !iok || in.Datacenter != dc2 || in.Status != StatusCritical || in.Site != dc2:
			return fmt.Sprintf("archive instance %+v (found %v)", in, iok)
		}
		return ""
	})
	if len(s.Consul.Datacenters) != 2 || !s.Consul.Datacenters[0].Local || s.Consul.Datacenters[0].Name != s.Consul.Datacenter {
		t.Errorf("datacenters %+v, want the local one (%s) first", s.Consul.Datacenters, s.Consul.Datacenter)
	}
	if in, _ := archive(s); !strings.Contains(strings.Join(checkOutputs(s, in), " "), "disk full") {
		t.Errorf("archive checks %q lack the TTL output", checkOutputs(s, in))
	}
	// Services without checks: Consul's own on the local server, mirror in
	// the other datacenter; their instances are read on demand.
	s = waitFor(t, w, 30*time.Second, "services without checks", func(s *Snapshot) string {
		got := map[string]bool{}
		for _, u := range s.Consul.Unchecked {
			got[u.Datacenter+"/"+u.Name] = true
		}
		if !got[s.Consul.Datacenter+"/consul"] || !got[dc2+"/mirror"] || got[dc2+"/archive"] {
			return fmt.Sprintf("unchecked %+v", s.Consul.Unchecked)
		}
		return ""
	})
	mirror, err := w.ServiceCatalog(ctx, dc2, "mirror")
	if err != nil || len(mirror) != 1 {
		t.Fatalf("ServiceCatalog(mirror) = %+v, %v", mirror, err)
	}
	if m := mirror[0]; m.Address != "127.0.0.2" || m.Port != 9100 || m.Site != dc2 || m.Datacenter != dc2 || m.Node != "consul-"+dc2 || m.Status != "" {
		t.Errorf("mirror instance %+v", m)
	}
	if _, err := w.ServiceCatalog(ctx, "atlantis", "mirror"); err == nil || !strings.Contains(err.Error(), "instances of service mirror") {
		t.Errorf("unknown datacenter: %v", err)
	}

	if err := c.StopConsulDC(); err != nil {
		t.Fatal(err)
	}
	s = waitFor(t, w, 90*time.Second, "the other datacenter stale", func(s *Snapshot) string {
		if d, _ := remote(s); d.Err == nil {
			return fmt.Sprintf("%s not reported down: %+v", dc2, d)
		}
		return ""
	})
	d, _ := remote(s)
	t.Logf("%s down: %v", dc2, d.Err)
	if s.Consul.Err != nil || s.Consul.Stale() {
		t.Errorf("the local datacenter hurt by the remote one: %v", s.Consul.Err)
	}
	if _, ok := archive(s); !ok {
		t.Error("the other datacenter's last good data was dropped")
	}
	if d.Err != nil && (!strings.Contains(d.Err.Error(), dc2) || strings.Contains(d.Err.Error(), "nomad")) {
		t.Errorf("error does not name the datacenter: %v", d.Err)
	}

	// Back (a -dev server comes back empty): fresh again, archive gone.
	if _, err := c.StartConsulDC(ctx, dc2); err != nil {
		t.Fatal(err)
	}
	waitFor(t, w, 90*time.Second, "the other datacenter back", func(s *Snapshot) string {
		d, _ := remote(s)
		if in, ok := archive(s); d.Stale() || ok {
			return fmt.Sprintf("%s %+v, archive %+v", dc2, d, in)
		}
		return ""
	})
}

func checkOutputs(s *Snapshot, in ServiceInstance) []string {
	var out []string
	for _, c := range s.ChecksOfInstance(in) {
		out = append(out, c.Output)
	}
	return out
}
