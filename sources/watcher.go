package sources

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// resHealth is the watcher's bookkeeping for one followed part (Nomad's
// list+stream, or one Consul query of one datacenter).
type resHealth struct {
	err      error
	updated  time.Time // last successful fetch
	reported bool      // its first answer (data or error) was published
}

// part names a followed part for error messages and holds its health.
type part struct {
	backend, resource string
	resHealth
}

// Watcher follows Nomad and Consul and publishes immutable snapshots.
//
// Nomad: one list of jobs, allocations, nodes, deployments and blocked
// evaluations, then one event stream (/v1/event/stream) applied to local
// state; the stream resumes from its last index after a short break and
// relists after a failed connection (the server may have restarted and
// lost its event buffer) and every resyncAfter (to drop what Nomad
// garbage-collected, which emits no event). Consul: blocking queries on
// health/state/any and catalog/nodes for the local datacenter and every
// other datacenter the agent knows, each on its own.
type Watcher struct {
	nomad *nomadapi.Client
	// lists reads the lists and the event stream: nomad itself, or on this
	// machine the same asking uncompressed (onThisMachine in config.go).
	lists                   *nomadapi.Client
	consul                  *consulapi.Client
	nomadAddr, consulAddr   string
	nomadToken, consulToken string // only to scrub them from error messages
	region, namespace       string
	group                   grouping

	snap  atomic.Pointer[Snapshot]
	pubMu sync.Mutex // one publish at a time
	// nextPublish: when the throttle lets the next snapshot out
	// (UnixNano), for the stream to read its frames in batches just
	// before (batchFrames).
	nextPublish atomic.Int64
	updates     chan struct{} // to readers, capacity 1
	dirty       chan struct{} // loops -> publisher, capacity 1
	// first: a part's first answer is waiting; it cuts the throttle short
	// (capacity 1).
	first chan struct{}

	mu     sync.Mutex // guards everything below up to subs
	nstate nomadState
	nomadH part
	// nomadDenied: a resource the token may not read (403), left out of
	// the lists and the stream; shown as the Nomad error, marking it stale.
	nomadDenied error
	local       *dcData            // the agent's datacenter
	remote      map[string]*dcData // other datacenters, by name
	dcsH        part               // catalog/datacenters
	dcName      string             // local Consul datacenter, once known
	dcAsk       sync.Mutex         // one agent/self at a time (consulDatacenter)
	// nodeMeta caches node meta by node ID and ModifyIndex, so a relist
	// costs no per-node request for unchanged nodes.
	nodeMeta map[string]*Node
	// nodeCache is the file nodeMeta persists in between runs ("": none).
	nodeCache string
	// nodeMoved: an event changed a node's state; the stream publishes
	// before reading on (see stream).
	nodeMoved bool

	subsMu     sync.Mutex
	subs       map[*subscriber]struct{}
	subsClosed bool // Run returned
	dropped    atomic.Uint64

	// The replicated database as Patroni publishes it (patroni.go).
	patroniScope string
	patroniH     part
	patroniKVs   consulapi.KVPairs
	patroniSeen  map[string]StoreMember

	// perms: what Nomad said to this token's actions (permission.go).
	perms permCache

	waitTime, minSpacing, backoffMin, backoffMax time.Duration
	requestSlack                                 time.Duration
	streamIdle, resyncAfter, dcRefresh           time.Duration
	publishEvery                                 time.Duration
}

// dcData is what one Consul datacenter holds.
type dcData struct {
	name          string
	checks        consulapi.HealthChecks
	nodes         []*consulapi.Node
	services      map[string][]string // every registered service name, with tags
	checksH       part
	nodesH        part
	servicesH     part
	cancel        context.CancelFunc // remote only
	local         bool
	haveChecks    bool
	haveNodesList bool
}

// NomadAddr is the Nomad address followed (never a token).
func (w *Watcher) NomadAddr() string { return w.nomadAddr }

// Namespace is the Nomad namespace followed: Config.NomadNamespace, else
// NOMAD_NAMESPACE, else "default"; "*" is every namespace.
func (w *Watcher) Namespace() string { return w.namespace }

// ConsulAddr is the Consul address followed (never a token).
func (w *Watcher) ConsulAddr() string { return w.consulAddr }

// Snapshot returns the latest snapshot; never nil, never blocks. Callers
// must not modify it.
func (w *Watcher) Snapshot() *Snapshot { return w.snap.Load() }

// Updates signals that Snapshot() changed. It has capacity 1 and
// coalesces: one receive may stand for several publishes.
func (w *Watcher) Updates() <-chan struct{} { return w.updates }

// Run follows Nomad and Consul until ctx is done. Call it once. When it
// returns, every transition subscriber's channel is closed.
func (w *Watcher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { w.followNomad(ctx) })
	w.startConsul(ctx, &wg)
	if w.patroniScope != "" {
		wg.Go(func() { w.followPatroni(ctx) })
	}
	defer w.closeSubscribers()
	for {
		select {
		case <-ctx.Done():
			w.mu.Lock()
			for _, d := range w.remote {
				d.cancel()
			}
			w.mu.Unlock()
			wg.Wait()
			return
		case <-w.dirty:
			select {
			case <-w.first: // this publish carries it
			default:
			}
			w.publish()
			// Under churn, events arrive faster than a member can read:
			// build at most one snapshot per publishEvery. A part's first
			// answer does not wait: the first frame must not show Nomad
			// while Consul's answer sits behind the throttle. The wait
			// varies by ±25 %: a state that recurs in step with the
			// throttle (a task up one second in every four) would
			// otherwise fall between snapshots every time.
			wait := w.publishEvery*3/4 + rand.N(w.publishEvery/2+1)
			w.nextPublish.Store(time.Now().Add(wait).UnixNano())
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
			case <-t.C:
			case <-w.first:
			}
			t.Stop()
		}
	}
}

// fetchFunc runs one (blocking) query after index. On success it returns
// the new index and a function that stores the result (run under w.mu).
type fetchFunc func(ctx context.Context, index uint64) (uint64, func(), error)

// follow is the blocking-query loop of one Consul part.
func (w *Watcher) follow(ctx context.Context, p *part, fetch fetchFunc) {
	var index uint64
	var have bool
	var last time.Time
	failures := 0
	for {
		// Minimum spacing: under churn every query returns at once; this
		// coalesces changes into one request per minSpacing.
		if !sleep(ctx, w.minSpacing-time.Since(last)) {
			return
		}
		last = time.Now()
		// Servers add up to wait/16 of jitter; past that plus slack the
		// request is hung (half-open connection, stuck proxy).
		rctx, cancel := context.WithTimeout(ctx, w.waitTime+w.waitTime/16+w.requestSlack)
		got, apply, err := fetch(rctx, index)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			w.fail(p, err)
			// The server may come back restarted with a lower index: a
			// blocking query on the old one would then wait its whole
			// WaitTime. Ask afresh after an error.
			index = 0
			if !sleep(ctx, w.backoff(failures)) {
				return
			}
			continue
		}
		failures = 0
		w.succeed(p, !have || got != index, apply)
		have = true
		switch {
		case got < index:
			// The index went backwards (server restart, leader change,
			// snapshot restore): start over with a non-blocking query.
			index = 0
		case got == 0:
			// A blocking index must be > 0, else the query returns at once.
			index = 1
		default:
			index = got
		}
	}
}

// succeed records a successful fetch of p, applying the result when it
// changed; it asks for a publish on its first answer, on change and on
// recovery. Not otherwise: a blocking query that timed out unchanged, or
// a stream heartbeat, changes nothing a member can see (the time of the
// last success is shown only once a part fails, and the failure's publish
// carries it), so an idle cluster builds and draws nothing.
func (w *Watcher) succeed(p *part, changed bool, apply func()) {
	now := time.Now()
	w.mu.Lock()
	if changed && apply != nil {
		apply()
	}
	recovered := p.err != nil
	p.err, p.updated = nil, now
	first := !p.reported
	poke := changed || recovered || first
	p.reported = true
	w.mu.Unlock()
	if poke {
		w.markDirty(first)
	}
}

func (w *Watcher) fail(p *part, err error) {
	addr, token := w.nomadAddr, w.nomadToken
	if p.backend == "consul" {
		addr, token = w.consulAddr, w.consulToken
	}
	resource := p.resource
	var re resourceErr
	if errors.As(err, &re) {
		resource, err = re.resource, re.err
	}
	be := backendError(p.backend, resource, addr, token, err)
	w.mu.Lock()
	// Same error again (the backend is still down): nothing new to show.
	poke := p.err == nil || p.err.Error() != be.Error()
	first := !p.reported
	p.err, p.reported = be, true
	w.mu.Unlock()
	if poke {
		w.markDirty(first)
	}
}

// markDirty asks for a publish; first (a part's first answer) asks for it
// now, past the throttle.
func (w *Watcher) markDirty(first bool) {
	if first {
		select {
		case w.first <- struct{}{}:
		default:
		}
	}
	select {
	case w.dirty <- struct{}{}:
	default:
	}
}

// publish builds a snapshot from the current state, emits the transitions
// from the previous one and signals readers.
func (w *Watcher) publish() {
	// Run and the stream (a node's change) both publish: one at a time,
	// so that each snapshot's transitions are from the one before it.
	w.pubMu.Lock()
	defer w.pubMu.Unlock()
	w.mu.Lock()
	in := w.inputsLocked()
	w.mu.Unlock()
	prev := w.snap.Load()
	now := time.Now()
	next := buildSnapshot(in, w.group, now, prev)
	w.snap.Store(next)
	if !prev.Taken.IsZero() {
		w.emit(Diff(prev, next))
	}
	select {
	case w.updates <- struct{}{}:
	default:
	}
}

// combineHealth merges parts of one backend: the first error, and the
// oldest success (data is as old as its oldest part; zero while one part
// was never fetched).
func combineHealth(hs ...resHealth) Health {
	var h Health
	never := false
	for _, rh := range hs {
		if h.Err == nil {
			h.Err = rh.err
		}
		switch {
		case rh.updated.IsZero():
			never = true
		case h.Updated.IsZero() || rh.updated.Before(h.Updated):
			h.Updated = rh.updated
		}
	}
	if never {
		h.Updated = time.Time{}
	}
	return h
}

// backoff after n consecutive failures: exponential from backoffMin to
// backoffMax, with "equal jitter" so watchers restarted together spread.
func (w *Watcher) backoff(n int) time.Duration {
	d := w.backoffMin
	for i := 1; i < n && d < w.backoffMax; i++ {
		d *= 2
	}
	d = min(d, w.backoffMax)
	return d/2 + rand.N(d/2+1)
}

// sleep waits d (no-op when d <= 0); false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
