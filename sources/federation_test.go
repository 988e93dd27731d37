package sources

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
)

// fakeConsul is a FAKE Consul agent in a two-datacenter federation, only
// to produce a fault the single-datacenter dev cluster cannot: a remote
// datacenter unreachable ("No path to datacenter") while the local one
// answers. It answers without blocking (index 1 then a 100 ms wait).
type fakeConsul struct {
	mu       sync.Mutex
	dc2Down  bool
	requests map[string]int
}

func (f *fakeConsul) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests[r.URL.Path+"?dc="+r.URL.Query().Get("dc")]++
	down := f.dc2Down
	f.mu.Unlock()
	dc := r.URL.Query().Get("dc")
	if dc == "" {
		dc = "dc1"
	}
	if dc == "dc2" && down {
		http.Error(w, "No path to datacenter", http.StatusInternalServerError)
		return
	}
	if r.URL.Query().Get("index") != "" {
		select { // a short blocking query
		case <-time.After(100 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("X-Consul-Index", "7")
	var out any
	switch r.URL.Path {
	case "/v1/catalog/datacenters":
		out = []string{"dc1", "dc2"}
	case "/v1/agent/self":
		out = map[string]any{"Config": map[string]any{"Datacenter": "dc1"}}
	case "/v1/health/state/any":
		out = []*consulapi.HealthCheck{{Node: "node-" + dc, CheckID: "web-check", ServiceID: "web-" + dc, ServiceName: "web", Status: "passing"}}
	case "/v1/catalog/nodes":
		out = []*consulapi.Node{{Node: "node-" + dc, Datacenter: dc, Address: "10.0.0.1", Meta: map[string]string{"site": "site-" + dc}}}
	default:
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(out)
}

func TestWatcherFederationOneDatacenterDown(t *testing.T) {
	fc := &fakeConsul{requests: map[string]int{}}
	csrv := httptest.NewServer(fc)
	defer csrv.Close()
	w, err := New(Config{NomadAddr: "http://" + deadAddr(t), ConsulAddr: csrv.URL, SiteKey: "meta.site"})
	if err != nil {
		t.Fatal(err)
	}
	w.minSpacing, w.backoffMin, w.backoffMax, w.dcRefresh = 5*time.Millisecond, 10*time.Millisecond, 80*time.Millisecond, 50*time.Millisecond
	w.waitTime, w.requestSlack, w.publishEvery = 300*time.Millisecond, 300*time.Millisecond, 5*time.Millisecond
	ctx, cancel := contextWithCleanup(t)
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	s := waitSnap(t, w, "both datacenters", func(s *Snapshot) bool {
		return len(s.Consul.Instances) == 2 && len(s.Consul.Datacenters) == 2 && !s.Consul.Datacenters[1].Stale()
	})
	if s.Consul.Datacenter != "dc1" || !s.Consul.Datacenters[0].Local || s.Consul.Datacenters[1].Name != "dc2" {
		t.Fatalf("datacenters = %+v (local %q)", s.Consul.Datacenters, s.Consul.Datacenter)
	}
	for _, in := range s.Consul.Instances {
		// Site from the Consul node's meta: no Nomad node knows these.
		if in.Site != "site-"+in.Datacenter {
			t.Errorf("instance %+v: site %q, want from Consul node meta", in, in.Site)
		}
	}

	fc.mu.Lock()
	fc.dc2Down = true
	fc.mu.Unlock()
	s = waitSnap(t, w, "dc2 stale", func(s *Snapshot) bool { return len(s.Consul.Datacenters) == 2 && s.Consul.Datacenters[1].Err != nil })
	if !errHas(s.Consul.Datacenters[1].Err, "datacenter dc2", "HTTP 500", "No path to datacenter") {
		t.Errorf("dc2 error = %v", s.Consul.Datacenters[1].Err)
	}
	// The local datacenter and the Consul health are untouched, and dc2's
	// last good data is kept.
	if s.Consul.Err != nil || s.Consul.Stale() || s.Consul.Datacenters[0].Stale() {
		t.Errorf("local consul hurt by dc2: %+v", s.Consul.Health)
	}
	if len(s.Consul.Instances) != 2 || s.Consul.Datacenters[1].Updated.IsZero() {
		t.Errorf("dc2 data dropped: %d instances, %+v", len(s.Consul.Instances), s.Consul.Datacenters[1])
	}

	fc.mu.Lock()
	fc.dc2Down = false
	fc.mu.Unlock()
	waitSnap(t, w, "dc2 recovered", func(s *Snapshot) bool { return len(s.Consul.Datacenters) == 2 && !s.Consul.Datacenters[1].Stale() })
}

// TestTransitionsNeverBlock: a subscriber that never reads costs drops,
// never a stalled watcher; others still get everything; unsubscribing
// closes the channel.
func TestTransitionsNeverBlock(t *testing.T) {
	f := newFakeNomad()
	w, _ := startFaultWatcher(t, f, "", 300*time.Millisecond)
	waitSnap(t, w, "first data", func(s *Snapshot) bool { return len(s.Nomad.Jobs) == 1 })
	stuck, unsubStuck := w.SubscribeTransitions(1)
	good, unsubGood := w.SubscribeTransitions(64)
	defer unsubGood()
	for i := range 5 {
		f.set(func(f *fakeNomad) { f.addJob(string(rune('a' + i))) })
		// Each event is its own publish (publishEvery is 5 ms here).
		waitSnap(t, w, "job published", func(s *Snapshot) bool { return len(s.Nomad.Jobs) == 2+i })
	}
	got := map[string]bool{}
	for len(got) < 5 {
		select {
		case tr := <-good:
			got[tr.Subject] = true
		case <-time.After(3 * time.Second):
			t.Fatalf("reader got %v, want 5 job transitions", got)
		}
	}
	if d := w.DroppedTransitions(); d < 4 {
		t.Errorf("dropped = %d, want >= 4 (stuck subscriber with buffer 1)", d)
	}
	unsubStuck()
	unsubStuck() // twice is fine
	<-stuck      // the one buffered transition
	if _, ok := <-stuck; ok {
		t.Error("channel not closed after unsubscribe")
	}
}
