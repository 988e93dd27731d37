package sources

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// fakeNomad is a FAKE standing in for Nomad only to produce faults a real
// agent cannot (hanging requests, garbage JSON, 500s, an index going
// backwards, ACL refusals on a cluster without ACLs) and to prove the
// UI-facing side never blocks on them. Normal behaviour is tested against
// real agents in integration_test.go.
type fakeNomad struct {
	mu         sync.Mutex
	mode       string // "ok", "hang", "garbage", "500"
	index      uint64
	jobs       []*nomadapi.JobListStub
	frames     []fakeFrame   // event stream history
	denyNode   bool          // answer 403 on /v1/nodes
	changed    chan struct{} // closed and replaced on every change
	requests   map[string]int
	heartbeat  time.Duration
	generation int // bumped to drop open streams (restart)
}

type fakeFrame struct {
	index uint64
	line  []byte
}

func newFakeNomad() *fakeNomad {
	return &fakeNomad{
		mode: "ok", index: 10, changed: make(chan struct{}), requests: map[string]int{},
		jobs:      []*nomadapi.JobListStub{{ID: "web", Name: "web", Namespace: "default", Type: "service", Status: "running", ModifyIndex: 10}},
		heartbeat: 50 * time.Millisecond,
	}
}

// set changes the fake's state under its lock and wakes blocked requests.
func (f *fakeNomad) set(fn func(f *fakeNomad)) {
	f.mu.Lock()
	fn(f)
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
}

// addJob registers a job and emits its event (call inside set).
func (f *fakeNomad) addJob(id string) {
	f.index++
	j := &nomadapi.JobListStub{ID: id, Name: id, Namespace: "default", Type: "service", Status: "pending", ModifyIndex: f.index}
	f.jobs = append(f.jobs, j)
	line, _ := json.Marshal(map[string]any{"Index": f.index, "Events": []any{
		map[string]any{"Topic": "Job", "Type": "JobRegistered", "Key": id, "Index": f.index, "Payload": map[string]any{"Job": j}},
	}})
	f.frames = append(f.frames, fakeFrame{f.index, append(line, '\n')})
}

func (f *fakeNomad) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[path]
}

func (f *fakeNomad) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests[r.URL.Path]++
	mode := f.mode
	f.mu.Unlock()
	switch mode {
	case "hang":
		<-r.Context().Done()
		return
	case "garbage":
		w.Header().Set("X-Nomad-Index", "99")
		w.Write([]byte(`[{"ID": "web", "Name": tru`))
		return
	case "500":
		http.Error(w, "rpc error: No cluster leader", http.StatusInternalServerError)
		return
	}
	if r.URL.Path == "/v1/event/stream" {
		f.serveStream(w, r)
		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("X-Nomad-Index", strconv.FormatUint(f.index, 10))
	w.Header().Set("X-Nomad-LastContact", "0")
	var out any
	switch r.URL.Path {
	case "/v1/jobs":
		out = f.jobs
	case "/v1/allocations":
		out = []*nomadapi.AllocationListStub{{ID: alloc1, JobID: "web", NodeID: "id1", ClientStatus: "running", DesiredStatus: "run"}}
	case "/v1/nodes":
		if f.denyNode {
			// Echo the token as a careless proxy might: it must be scrubbed.
			http.Error(w, "Permission denied for token "+r.Header.Get("X-Nomad-Token"), http.StatusForbidden)
			return
		}
		out = []*nomadapi.NodeListStub{{ID: "id1", Name: "n1", Datacenter: "paris", Status: "ready", ModifyIndex: 5}}
	case "/v1/node/id1":
		out = &nomadapi.Node{ID: "id1", Name: "n1", Meta: map[string]string{"hosted_by": "alice"}}
	case "/v1/deployments", "/v1/evaluations":
		out = []any{}
	case "/v1/agent/self":
		out = map[string]any{"config": map[string]any{"Region": "global"}}
	default:
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(out)
}

// serveStream sends the frames after the requested index, then new ones
// and heartbeats, until the mode or generation changes (then it drops the
// connection, like a restarting server).
func (f *fakeNomad) serveStream(w http.ResponseWriter, r *http.Request) {
	from, _ := strconv.ParseUint(r.URL.Query().Get("index"), 10, 64)
	w.WriteHeader(http.StatusOK)
	fl := w.(http.Flusher)
	fl.Flush()
	f.mu.Lock()
	gen := f.generation
	f.mu.Unlock()
	sent := from
	tick := time.NewTicker(f.heartbeat)
	defer tick.Stop()
	for {
		f.mu.Lock()
		if f.mode != "ok" || f.generation != gen {
			f.mu.Unlock()
			return
		}
		var out []byte
		for _, fr := range f.frames {
			if fr.index >= sent {
				out = append(out, fr.line...)
				sent = fr.index + 1
			}
		}
		changed := f.changed
		f.mu.Unlock()
		if len(out) > 0 {
			w.Write(out)
			fl.Flush()
		}
		select {
		case <-changed:
		case <-tick.C:
			w.Write([]byte("{}\n"))
			fl.Flush()
		case <-r.Context().Done():
			return
		}
	}
}

// deadAddr is an address where nothing listens (Consul down).
func deadAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// startFaultWatcher runs a watcher with shrunk timings against the fake.
func startFaultWatcher(t *testing.T, f *fakeNomad, token string, wait time.Duration) (*Watcher, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(f)
	w, err := New(Config{NomadAddr: srv.URL, NomadToken: token, ConsulAddr: deadAddr(t)})
	if err != nil {
		t.Fatal(err)
	}
	w.waitTime, w.requestSlack = wait, 300*time.Millisecond
	w.minSpacing, w.backoffMin, w.backoffMax = 5*time.Millisecond, 10*time.Millisecond, 80*time.Millisecond
	w.streamIdle, w.publishEvery = 400*time.Millisecond, 5*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
		srv.Close()
	})
	return w, srv
}

// waitSnap polls Snapshot() until cond holds, checking each call is quick.
func waitSnap(t *testing.T, w *Watcher, what string, cond func(*Snapshot) bool) *Snapshot {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		start := time.Now()
		s := w.Snapshot()
		// Snapshot is an atomic load: anything near the fake server's hang
		// (seconds) means it waited on the network. The bound is loose so a
		// loaded CI machine cannot fail it.
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Fatalf("Snapshot() took %v", d)
		}
		if s == nil {
			t.Fatal("Snapshot() returned nil")
		}
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; nomad=%+v consul=%+v", what, s.Nomad.Health, s.Consul.Health)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func errHas(err error, parts ...string) bool {
	if err == nil {
		return false
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			return false
		}
	}
	return true
}

func TestWatcherFaultsAndRecovery(t *testing.T) {
	f := newFakeNomad()
	f.mode = "hang"
	w, srv := startFaultWatcher(t, f, "", 300*time.Millisecond)

	s := w.Snapshot()
	if s == nil || s.Nomad.Addr != srv.URL || !s.Nomad.Stale() || !s.Consul.Stale() {
		t.Fatalf("initial snapshot = %+v", s)
	}

	// Hung server: Snapshot() stays instant, the timeout lands in Err.
	waitSnap(t, w, "hang reported", func(s *Snapshot) bool { return errHas(s.Nomad.Err, "nomad", "no answer") })
	// Consul is down the whole time and Nomad's trouble does not mix in.
	s = waitSnap(t, w, "consul down", func(s *Snapshot) bool {
		return errHas(s.Consul.Err, "consul", "reading health checks", "connection refused")
	})
	if strings.Contains(s.Consul.Err.Error(), "nomad") {
		t.Errorf("consul error mentions nomad: %v", s.Consul.Err)
	}

	f.set(func(f *fakeNomad) { f.mode = "garbage" })
	waitSnap(t, w, "garbage reported", func(s *Snapshot) bool { return errHas(s.Nomad.Err, "unreadable answer") })

	f.set(func(f *fakeNomad) { f.mode = "500" })
	waitSnap(t, w, "500 reported", func(s *Snapshot) bool { return errHas(s.Nomad.Err, "HTTP 500", "No cluster leader") })

	// Recovery without a new watcher.
	f.set(func(f *fakeNomad) { f.mode = "ok" })
	// The region comes with the history, a frame after the first publish.
	s = waitSnap(t, w, "recovery", func(s *Snapshot) bool {
		return s.Nomad.Err == nil && len(s.Nomad.Nodes) == 1 && s.Nomad.Region != ""
	})
	if s.Nomad.Stale() || len(s.Nomad.Jobs) != 1 || len(s.Nomad.Allocs) != 1 || s.Nomad.Region != "global" {
		t.Fatalf("recovered nomad state = %+v", s.Nomad)
	}
	if st := siteOf(t, s, "paris"); st.Hosts["n1"] != "alice" || st.AllocsRunning != 1 || st.NodesUp != 1 {
		t.Errorf("paris = %+v", st)
	}
	if s.Consul.Err == nil {
		t.Error("consul error lost while nomad recovered")
	}
	good := s

	// A later fault keeps the last good data, now stale.
	f.set(func(f *fakeNomad) { f.mode = "500" })
	s = waitSnap(t, w, "500 again", func(s *Snapshot) bool { return s.Nomad.Err != nil })
	if !s.Nomad.Stale() || len(s.Nomad.Jobs) != 1 || s.Nomad.Updated.IsZero() || s.Nomad.Updated.Before(good.Nomad.Updated) {
		t.Errorf("stale snapshot lost data: %+v", s.Nomad)
	}
	if len(good.Nomad.Jobs) != 1 || good.Nomad.Err != nil {
		t.Errorf("a published snapshot changed: %+v", good.Nomad)
	}
	f.set(func(f *fakeNomad) { f.mode = "ok" })
	waitSnap(t, w, "recovery again", func(s *Snapshot) bool { return s.Nomad.Err == nil })
}

func TestWatcherIdleAndChange(t *testing.T) {
	f := newFakeNomad()
	w, _ := startFaultWatcher(t, f, "", 300*time.Millisecond)
	waitSnap(t, w, "first data", func(s *Snapshot) bool { return len(s.Nomad.Nodes) == 1 && len(s.Nomad.Jobs) == 1 })
	events, unsubscribe := w.SubscribeTransitions(8)
	defer unsubscribe()

	// Idle: one open event stream with heartbeats every 50 ms, no list
	// request, nothing published (a heartbeat changes nothing) and Updates stays
	// quiet. Nobody read Updates so far: the watcher must not have blocked.
	time.Sleep(400 * time.Millisecond) // let the first publishes settle
	select {
	case <-w.Updates():
	default:
	}
	idle := w.Snapshot()
	jobs, streams := f.count("/v1/jobs"), f.count("/v1/event/stream")
	time.Sleep(time.Second)
	if n := f.count("/v1/jobs") - jobs; n != 0 {
		t.Errorf("job lists during 1 s idle = %d, want 0 (event stream)", n)
	}
	if n := f.count("/v1/event/stream") - streams; n != 0 {
		t.Errorf("stream reconnects during 1 s idle = %d, want 0", n)
	}
	select {
	case <-w.Updates():
		t.Error("Updates signalled on an idle cluster")
	default:
	}
	if w.Snapshot() != idle {
		t.Error("snapshot republished on an idle cluster")
	}

	// A change arrives as an event: published, signalled, and a transition
	// for the new job, without any new request.
	f.set(func(f *fakeNomad) { f.addJob("db") })
	select {
	case <-w.Updates():
	case <-time.After(3 * time.Second):
		t.Fatal("no Updates signal after a change")
	}
	waitSnap(t, w, "second job", func(s *Snapshot) bool { return len(s.Nomad.Jobs) == 2 })
	select {
	case tr := <-events:
		if tr.Subject != "job/db" || tr.Kind != "job" || tr.From != "" || tr.To != "pending" || tr.Key == "" {
			t.Errorf("transition = %+v", tr)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no transition for the new job")
	}
	if n := f.count("/v1/jobs") - jobs; n != 0 {
		t.Errorf("job lists after an event = %d, want 0", n)
	}
}

func TestWatcherIndexGoesBackwards(t *testing.T) {
	f := newFakeNomad()
	w, _ := startFaultWatcher(t, f, "", 2*time.Second)
	waitSnap(t, w, "first data", func(s *Snapshot) bool { return len(s.Nomad.Jobs) == 1 })

	// Server restarted with a lower index (state lost or restored) and an
	// empty event buffer: the stream drops, and the watcher must relist
	// rather than resume (Nomad would silently start elsewhere), then
	// follow the new server's events at once.
	f.set(func(f *fakeNomad) {
		f.generation++
		f.index = 3
		f.frames = nil
		f.jobs = []*nomadapi.JobListStub{{ID: "after-restart", Namespace: "default", ModifyIndex: 3}}
	})
	waitSnap(t, w, "state after restart", func(s *Snapshot) bool {
		return len(s.Nomad.Jobs) == 1 && s.Nomad.Jobs[0].ID == "after-restart" && s.Nomad.Err == nil
	})
	time.Sleep(50 * time.Millisecond) // the new stream is open by now
	start := time.Now()
	f.set(func(f *fakeNomad) { f.addJob("later") })
	waitSnap(t, w, "change after restart", func(s *Snapshot) bool { return len(s.Nomad.Jobs) == 2 })
	if d := time.Since(start); d > time.Second {
		t.Errorf("change after the restart seen after %v: stream not following the new server", d)
	}
}

func TestWatcherPermissionDenied(t *testing.T) {
	const token = "7d8f1c2e-secret-token"
	f := newFakeNomad()
	f.denyNode = true
	w, _ := startFaultWatcher(t, f, token, 300*time.Millisecond)
	s := waitSnap(t, w, "403 on nodes", func(s *Snapshot) bool {
		return s.Nomad.Err != nil && len(s.Nomad.Jobs) == 1
	})
	msg := s.Nomad.Err.Error()
	for _, want := range []string{"nomad", "permission denied", "nodes", "lacks a capability", "node:read"} {
		if !strings.Contains(msg, want) {
			t.Errorf("403 message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, token) {
		t.Errorf("403 message leaks the token: %q", msg)
	}
	if !strings.Contains(msg, "<redacted>") {
		t.Errorf("echoed token not visibly redacted: %q", msg)
	}
	var be *BackendError
	if !errors.As(s.Nomad.Err, &be) || !be.PermissionDenied() || be.Resource != "nodes" {
		t.Errorf("err = %#v, want a BackendError 403 on nodes", s.Nomad.Err)
	}
	if !s.Nomad.Stale() {
		t.Error("nomad health not stale while nodes are refused")
	}
	if strings.Contains(w.NomadAddr(), token) {
		t.Error("NomadAddr leaks the token")
	}
}

func contextWithCleanup(t *testing.T) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx, cancel
}

// TestNodeChangePublishedPastThrottle: a node's change of state is
// published at once, even while the throttle holds other changes: the
// stream may already have read the frame that ends it (a drain that
// completes at once), and its transition must be recorded.
func TestNodeChangePublishedPastThrottle(t *testing.T) {
	f := newFakeNomad()
	srv := httptest.NewServer(f)
	defer srv.Close()
	w, err := New(Config{NomadAddr: srv.URL, ConsulAddr: deadAddr(t)})
	if err != nil {
		t.Fatal(err)
	}
	w.waitTime, w.requestSlack = time.Second, 300*time.Millisecond
	w.minSpacing, w.backoffMin, w.backoffMax = 5*time.Millisecond, 10*time.Millisecond, 80*time.Millisecond
	w.streamIdle, w.publishEvery = 5*time.Second, time.Hour
	trans, unsubscribe := w.SubscribeTransitions(16)
	defer unsubscribe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitSnap(t, w, "the node listed", func(s *Snapshot) bool { _, ok := s.NodeByID("id1"); return ok })
	// Let the first answers (Consul's errors included) go out: what follows
	// is held by an hour's throttle but for the node.
	time.Sleep(300 * time.Millisecond)
	f.set(func(f *fakeNomad) {
		f.index++
		node := map[string]any{"ID": "id1", "Name": "n1", "Datacenter": "paris", "Status": "ready", "SchedulingEligibility": "ineligible",
			"DrainStrategy": map[string]any{"Deadline": 3600000000000}, "Meta": map[string]string{"hosted_by": "alice"}, "ModifyIndex": f.index}
		line, _ := json.Marshal(map[string]any{"Index": f.index, "Events": []any{
			map[string]any{"Topic": "Node", "Type": "NodeDrain", "Key": "id1", "Index": f.index, "Payload": map[string]any{"Node": node}},
		}})
		f.frames = append(f.frames, fakeFrame{f.index, append(line, '\n')})
	})
	waitSnap(t, w, "the node draining", func(s *Snapshot) bool { n, _ := s.NodeByID("id1"); return n.State() == "draining" })
	deadline := time.After(5 * time.Second)
	for {
		select {
		case tr := <-trans:
			if tr.Kind == "node" && tr.To == "draining" {
				return
			}
		case <-deadline:
			t.Fatal("no transition to draining")
		}
	}
}
