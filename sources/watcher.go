package sources

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// resource is one followed API list; each has its own blocking-query loop.
type resource int

const (
	resJobs resource = iota
	resAllocs
	resNodes
	resChecks
	numResources
)

func (r resource) backend() string {
	if r == resChecks {
		return "consul"
	}
	return "nomad"
}

func (r resource) String() string {
	return [...]string{"jobs", "allocations", "nodes", "health checks"}[r]
}

// resHealth is the watcher's bookkeeping for one resource.
type resHealth struct {
	err       error
	updated   time.Time // last successful fetch
	published time.Time // when a success last asked for a publish
}

// Watcher follows Nomad and Consul and publishes immutable snapshots.
type Watcher struct {
	nomad                   *nomadapi.Client
	consul                  *consulapi.Client
	nomadAddr, consulAddr   string
	nomadToken, consulToken string // only to scrub them from error messages
	region                  string
	group                   grouping

	snap    atomic.Pointer[Snapshot]
	updates chan struct{} // to readers, capacity 1
	dirty   chan struct{} // loops -> publisher, capacity 1

	mu     sync.Mutex
	raw    inputs // guarded by mu; slices replaced, never mutated
	health [numResources]resHealth

	// nodeMeta caches node meta by node ID, keyed by ModifyIndex, so only
	// changed nodes cost a request. Used by the nodes loop only.
	nodeMeta map[string]rawNode

	waitTime, minSpacing, backoffMin, backoffMax time.Duration
	requestSlack, refreshAfter                   time.Duration
}

// NomadAddr is the Nomad address followed (never a token).
func (w *Watcher) NomadAddr() string { return w.nomadAddr }

// ConsulAddr is the Consul address followed (never a token).
func (w *Watcher) ConsulAddr() string { return w.consulAddr }

// Snapshot returns the latest snapshot; never nil, never blocks. Callers
// must not modify it.
func (w *Watcher) Snapshot() *Snapshot { return w.snap.Load() }

// Updates signals that Snapshot() changed. It has capacity 1 and
// coalesces: one receive may stand for several publishes.
func (w *Watcher) Updates() <-chan struct{} { return w.updates }

// fetchFunc runs one (blocking) query after index. On success it returns
// the new index and a function that stores the result into inputs (run
// under the watcher's lock).
type fetchFunc func(ctx context.Context, index uint64) (uint64, func(*inputs), error)

// Run follows every resource until ctx is done. Call it once.
func (w *Watcher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	fetches := [numResources]fetchFunc{
		resJobs: w.fetchJobs, resAllocs: w.fetchAllocs,
		resNodes: w.fetchNodes, resChecks: w.fetchChecks,
	}
	for r, f := range fetches {
		wg.Go(func() { w.follow(ctx, resource(r), f) })
	}
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-w.dirty:
			w.publish()
		}
	}
}

// follow is the blocking-query loop of one resource.
func (w *Watcher) follow(ctx context.Context, r resource, fetch fetchFunc) {
	var index uint64
	var have bool
	var last time.Time
	failures := 0
	for {
		// Minimum spacing: under heavy churn every query returns at once;
		// this bounds us to a few requests per second per resource.
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
			w.fail(r, err)
			if !sleep(ctx, w.backoff(failures)) {
				return
			}
			continue
		}
		failures = 0
		w.succeed(r, !have || got != index, apply)
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

func (w *Watcher) succeed(r resource, changed bool, apply func(*inputs)) {
	now := time.Now()
	w.mu.Lock()
	h := &w.health[r]
	if changed {
		apply(&w.raw)
	}
	recovered := h.err != nil
	h.err, h.updated = nil, now
	poke := changed || recovered || now.Sub(h.published) >= w.refreshAfter
	if poke {
		h.published = now
	}
	w.mu.Unlock()
	if poke {
		w.markDirty()
	}
}

func (w *Watcher) fail(r resource, err error) {
	token := w.nomadToken
	if r.backend() == "consul" {
		token = w.consulToken
	}
	addr := w.nomadAddr
	if r.backend() == "consul" {
		addr = w.consulAddr
	}
	be := backendError(r.backend(), r.String(), addr, token, err)
	w.mu.Lock()
	h := &w.health[r]
	// Same error again (the backend is still down): nothing new to show.
	poke := h.err == nil || h.err.Error() != be.Error()
	h.err = be
	w.mu.Unlock()
	if poke {
		w.markDirty()
	}
}

func (w *Watcher) markDirty() {
	select {
	case w.dirty <- struct{}{}:
	default:
	}
}

// publish builds a snapshot from the current inputs and signals readers.
func (w *Watcher) publish() {
	w.mu.Lock()
	in := w.raw
	in.Nomad = combineHealth(w.health[resJobs], w.health[resAllocs], w.health[resNodes])
	in.Consul = combineHealth(w.health[resChecks])
	w.mu.Unlock()
	w.snap.Store(buildSnapshot(in, w.group, time.Now()))
	select {
	case w.updates <- struct{}{}:
	default:
	}
}

// combineHealth merges the resources of one backend: the first error, and
// the oldest success (data is as old as its oldest part; zero while one
// part was never fetched).
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
