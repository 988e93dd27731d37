package sources

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testToken = "0f1e2d3c-secret-token-4b5a"

// actSnapshot is a hand-made cluster: a running web allocation (task web
// running, task sidecar dead), a failed one, a ready node, a service job
// and a periodic batch job's parent.
func actSnapshot() *Snapshot {
	s := &Snapshot{Nomad: NomadState{
		Jobs: []Job{
			{ID: "garage", Namespace: "default", Type: "service", Status: "running"},
			{ID: "nettoyage", Namespace: "default", Type: "batch", Status: "running"},
		},
		Allocs: []Alloc{
			{ID: "3f2a1b2c-0000-4000-8000-000000000001", Namespace: "default", JobID: "garage", NodeID: "node-paris", ClientStatus: "running",
				Tasks: []TaskState{{Name: "web", State: "running"}, {Name: "sidecar", State: "dead"}}},
			{ID: "9d8c7b6a-0000-4000-8000-000000000002", Namespace: "default", JobID: "backup", NodeID: "node-paris", ClientStatus: "failed",
				Tasks: []TaskState{{Name: "backup", State: "dead", Failed: true}}},
		},
		Nodes: []Node{{ID: "node-paris", Name: "paris-1", Status: "ready", Eligible: true, Site: "paris"}},
	}}
	return s
}

// countingListener accepts TCP connections and counts them, answering
// nothing: it proves that bad input sends no request at all.
func countingListener(t *testing.T) (addr string, conns *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	conns = &atomic.Int64{}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	return "http://" + l.Addr().String(), conns
}

func actWatcher(t *testing.T, addr, ns string) *Watcher {
	t.Helper()
	w, err := New(Config{NomadAddr: addr, NomadToken: testToken, NomadNamespace: ns, ConsulAddr: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	w.snap.Store(actSnapshot())
	return w
}

func TestActBadInputSendsNothing(t *testing.T) {
	addr, conns := countingListener(t)
	w := actWatcher(t, addr, "default")
	every := actWatcher(t, addr, "*")
	ctx := context.Background()
	const running = "3f2a1b2c-0000-4000-8000-000000000001"
	for _, c := range []struct {
		w    *Watcher
		a    Action
		want string
	}{
		{w, Action{Kind: RestartAlloc, AllocID: "3f2a1b2c-dead-4000-8000-00000000beef"}, "allocation 3f2a1b2c is gone"},
		{w, Action{Kind: StopAlloc, AllocID: ""}, "needs an allocation"},
		{w, Action{Kind: DrainNode, NodeID: "node-paris", Deadline: -5 * time.Minute}, "drain deadline -5m0s: it must be positive"},
		{w, Action{Kind: DrainNode, NodeID: "node-paris"}, "drain deadline 0s"},
		{w, Action{Kind: DrainNode, NodeID: "node-lyon", Deadline: time.Hour}, "node node-lyo is gone"},
		{w, Action{Kind: UndrainNode, NodeID: "node-paris"}, "node paris-1 is not draining"},
		{w, Action{Kind: RestartTask, AllocID: running, Task: "sidecar"}, "task sidecar of allocation 3f2a1b2c is dead, not running"},
		{w, Action{Kind: RestartTask, AllocID: running, Task: "db"}, "allocation 3f2a1b2c has no task db"},
		{w, Action{Kind: RestartTask, AllocID: running, Task: "db\x1b[2J"}, "allocation 3f2a1b2c has no task db"},
		{w, Action{Kind: RestartAlloc, AllocID: "9d8c7b6a-0000-4000-8000-000000000002"}, "allocation 9d8c7b6a is failed: nothing left to restart"},
		{w, Action{Kind: StopAlloc, AllocID: "9d8c7b6a-0000-4000-8000-000000000002"}, "nothing left to stop"},
		{w, Action{Kind: RestartAlloc, AllocID: running, Namespace: "*"}, `not "*"`},
		{w, Action{Kind: RestartAlloc, AllocID: running, Namespace: "ops"}, "is in namespace default, not ops"},
		{w, Action{Kind: ForcePeriodic, JobID: "nettoyage", Namespace: "*"}, `not "*"`},
		{every, Action{Kind: ForcePeriodic, JobID: "nettoyage"}, `not "*"`},
		{w, Action{Kind: ForcePeriodic, JobID: "garage"}, "job garage is a service job"},
		{w, Action{Kind: ForcePeriodic, JobID: "absent"}, "job absent is not in namespace default"},
		{w, Action{Kind: ForcePeriodic, JobID: "nettoyage", Namespace: "ops"}, "job nettoyage is not in namespace ops"},
		{w, Action{Kind: "reboot-node", NodeID: "node-paris"}, "unknown action"},
	} {
		_, err := c.w.Act(ctx, c.a)
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\x1b") {
			t.Errorf("Act(%+v) = %q, want an *InputError saying %q, sanitised", c.a, err, c.want)
		}
	}
	if _, err := w.Exec(ctx, running, "web", nil, false, nil, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "needs a command") {
		t.Errorf("Exec without a command: %v", err)
	}
	if _, err := w.Exec(ctx, "", "web", []string{"true"}, false, nil, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "needs an allocation") {
		t.Errorf("Exec without an allocation: %v", err)
	}
	if _, _, err := every.Permission(ctx, RestartAlloc, ""); err == nil || !strings.Contains(err.Error(), `not "*"`) {
		t.Errorf(`Permission in namespace "*": %v`, err)
	}
	time.Sleep(50 * time.Millisecond) // a stray connection would have been accepted by now
	if n := conns.Load(); n != 0 {
		t.Errorf("bad input opened %d connections to Nomad, want none", n)
	}
}

// TestExecAsksNomadWhenTheSnapshotSaysNo: the snapshot may lag (a task just
// started), so exec asks Nomad once before refusing; a Nomad that does not
// answer (here a listener that closes every connection) leaves the
// snapshot's refusal standing, and nothing is executed.
func TestExecAsksNomadWhenTheSnapshotSaysNo(t *testing.T) {
	addr, conns := countingListener(t)
	w := actWatcher(t, addr, "default")
	ctx := context.Background()
	const running = "3f2a1b2c-0000-4000-8000-000000000001"
	for _, c := range []struct {
		alloc, task, want string
	}{
		{"3f2a1b2c-dead-4000-8000-00000000beef", "web", "allocation 3f2a1b2c is gone"},
		{running, "sidecar", "task sidecar of allocation 3f2a1b2c is dead, not running"},
		{running, "db", "has no task db"},
		{"9d8c7b6a-0000-4000-8000-000000000002", "backup", "task backup of allocation 9d8c7b6a is failed, not running"},
	} {
		before := conns.Load()
		code, err := w.Exec(ctx, c.alloc, c.task, []string{"echo", "hello"}, false, nil, nil, nil, nil)
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) || code != -1 {
			t.Errorf("Exec(%s, %s) = %d, %v, want -1 and an *InputError saying %q", c.alloc, c.task, code, err, c.want)
		}
		if conns.Load() == before {
			t.Errorf("Exec(%s, %s): Nomad was not asked", c.alloc, c.task)
		}
	}
}

// TestActFaults uses a FAKE Nomad (httptest) only for what a real agent
// cannot be made to do on demand: answer an accepted action with a 500 (here
// echoing the token, as a broken proxy might), and hang.
func TestActFaults(t *testing.T) {
	hang := make(chan struct{})
	var puts atomic.Int64
	fake := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		puts.Add(1)
		io.Copy(io.Discard, r.Body) // then the server sees the client go away
		switch {
		case strings.HasSuffix(r.URL.Path, "/drain"):
			rw.WriteHeader(http.StatusInternalServerError)
			rw.Write([]byte("rpc error: raft apply failed for token " + r.Header.Get("X-Nomad-Token")))
		default:
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		}
	}))
	t.Cleanup(fake.Close)
	t.Cleanup(func() { close(hang) }) // before Close, which waits for handlers
	w := actWatcher(t, fake.URL, "default")

	res, err := w.Act(context.Background(), Action{Kind: DrainNode, NodeID: "node-paris", Deadline: time.Hour})
	var ae *ActionError
	if !errors.As(err, &ae) || ae.Status != 500 || ae.Unknown || res != (ActionResult{}) {
		t.Fatalf("a 500 on drain: %+v, %v; want an *ActionError with status 500 and no result", res, err)
	}
	if strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "<redacted>") || !strings.Contains(err.Error(), "raft apply failed") {
		t.Errorf("error %q: want Nomad's words, the token redacted", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	res, err = w.Act(ctx, Action{Kind: RestartAlloc, AllocID: "3f2a1b2c-0000-4000-8000-000000000001"})
	if !errors.As(err, &ae) || !ae.Unknown || res != (ActionResult{}) || !strings.Contains(err.Error(), "no answer") || !strings.Contains(err.Error(), "may still happen") {
		t.Fatalf("a hung restart: %+v, %v; want an *ActionError saying it may still happen", res, err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("error %q holds the token", err)
	}
	// A refusal Nomad never sent is not learned: Permission still probes.
	pctx, pcancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer pcancel()
	before := puts.Load()
	if _, _, err := w.Permission(pctx, DrainNode, ""); err == nil {
		t.Errorf("Permission against a hung Nomad: no error")
	}
	if puts.Load() != before+1 {
		t.Errorf("Permission sent %d requests, want its one probe", puts.Load()-before)
	}
}

func TestDeniedReasons(t *testing.T) {
	w := actWatcher(t, "http://127.0.0.1:1", "default")
	for _, c := range []struct {
		k    ActionKind
		ns   string
		said string
		want string
	}{
		{RestartAlloc, "default", "Permission denied", "your token cannot restart or stop allocations in namespace default (needs alloc-lifecycle)"},
		{StopAlloc, "ops", "Permission denied", "in namespace ops (needs alloc-lifecycle)"},
		{DrainNode, "", "Permission denied", "your token cannot drain nodes or change their eligibility (needs node:write)"},
		{ForcePeriodic, "default", "Permission denied", "your token cannot launch jobs in namespace default (needs submit-job or dispatch-job)"},
		{ExecTask, "default", "Permission denied", "needs alloc-exec, and alloc-node-exec"},
		{RestartTask, "default", "ACL token not found", "Nomad does not know your token"},
	} {
		d := w.denied(c.k, c.ns, c.said+" "+testToken+"\x1b[31m")
		if !strings.Contains(d.Reason, c.want) || strings.Contains(d.Error(), testToken) || strings.Contains(d.Error(), "\x1b") || d.Kind != c.k || d.Namespace != c.ns {
			t.Errorf("denied(%s, %s) = %+v (%q), want reason %q, no token, no escape", c.k, c.ns, d, d.Error(), c.want)
		}
	}
	// A real attempt's refusal is what Permission answers next, per
	// capability: a stop refused means a restart is too.
	w.remember(StopAlloc, "default", reason(StopAlloc, "default", ""))
	if ok, why, err := w.Permission(context.Background(), RestartTask, ""); ok || err != nil || !strings.Contains(why, "alloc-lifecycle") {
		t.Errorf("Permission(restart-task) after a refused stop = %v, %q, %v", ok, why, err)
	}
	w.remember(UndrainNode, "", "")
	if ok, why, err := w.Permission(context.Background(), DrainNode, "ops"); !ok || why != "" || err != nil {
		t.Errorf("Permission(drain-node) after an accepted undrain = %v, %q, %v", ok, why, err)
	}
}
