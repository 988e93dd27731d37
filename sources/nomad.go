package sources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	nomadapi "github.com/hashicorp/nomad/api"
)

// nomadState is the local copy of Nomad's state, fed by a list and then
// the event stream. Values are never mutated once stored: an update
// replaces the pointer, so a publish can share them without copying.
type nomadState struct {
	jobs   map[string]*Job // by jobKey
	allocs map[string]*Alloc
	nodes  map[string]*Node
	deps   map[string]*Deployment
	evals  map[string]*BlockedEval // blocked ones only
	region string
}

func jobKey(ns, id string) string { return ns + "\x00" + id }

// streamTopics are the event stream topics followed.
var streamTopics = []string{"Job", "Allocation", "Node", "Deployment", "Evaluation"}

func (w *Watcher) nomadQuery(ctx context.Context) *nomadapi.QueryOptions {
	return (&nomadapi.QueryOptions{Namespace: w.namespace}).WithContext(ctx)
}

// followNomad lists, then follows the event stream from the list's
// index; whenever the stream ends it lists again. Why not resume from the
// last index: Nomad answers an index older than its event buffer, or one
// from before a server restart (empty buffer), by silently starting
// elsewhere, so a resumed stream can miss changes with no sign of it. A
// relist is 5 requests, and streams end rarely (restarts, leader changes,
// network trouble, and the resync every resyncAfter that drops what Nomad
// garbage-collected without an event).
func (w *Watcher) followNomad(ctx context.Context) {
	failures := 0
	listed := false
	for ctx.Err() == nil {
		lctx, cancel := context.WithTimeout(ctx, 4*w.requestSlack)
		// The first list publishes what a member sees first (everything
		// but finished allocations' history) as soon as it is in.
		var early func(nomadState, []*BackendError)
		if !listed {
			early = func(st nomadState, denied []*BackendError) { w.succeed(&w.nomadH, true, w.storeList(st, denied)) }
		}
		st, index, denied, err := w.listNomad(lctx, early)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, errRestartedBetweenReads) {
			sleep(ctx, w.backoffMin) // nothing to report: the next list is whole
			continue
		}
		if err != nil {
			failures++
			w.fail(&w.nomadH, err)
			sleep(ctx, w.backoff(failures))
			continue
		}
		w.succeed(&w.nomadH, true, w.storeList(st, denied))
		if early != nil {
			// The history is the rest of the first answer: past the throttle.
			w.markDirty(true)
		}
		listed = true
		w.nomadH.resource = "event stream"
		sctx, cancel := context.WithTimeout(ctx, w.resyncAfter)
		frames, err := w.stream(sctx, index, deniedTopics(denied))
		resync := sctx.Err() != nil && err == nil
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case resync:
			failures = 0
		default:
			if frames > 0 {
				failures = 0 // it worked for a while: retry soon
			}
			failures++
			w.fail(&w.nomadH, err)
			sleep(ctx, w.backoff(failures))
		}
	}
}

// listNomad reads everything once and returns the state with the index to
// stream from (the lowest of the lists' indexes: events after it are
// applied only when newer than what a later list already holds). A
// resource the token may not read (403) is left empty and reported in
// denied, so a token lacking node:read still shows jobs.
func (w *Watcher) listNomad(ctx context.Context, early func(nomadState, []*BackendError)) (st nomadState, index uint64, denied []*BackendError, err error) {
	st, index, denied, err = w.listNomadAll(ctx, early)
	return
}

// storeList returns the function that makes a list the watcher's state
// (run under w.mu by succeed).
func (w *Watcher) storeList(st nomadState, denied []*BackendError) func() {
	return func() {
		w.nstate = st
		w.nomadDenied = nil
		if len(denied) > 0 {
			w.nomadDenied = denied[0]
		}
	}
}

// The allocation list is read in two parts at once. Finished allocations
// (complete, and stopped or evicted by the server) are the bulk of it
// under churn (every job update leaves its old allocations complete until
// garbage collection: 390 of 398 on the bench's churn cluster, 1.7 MB of
// JSON) and are only history: no outage, count or site state depends on
// them. Both states are final, so an allocation in the finished list
// never changes back; one that finishes between the two reads is caught
// by the stream, which starts from the lower of the lists' indexes.
const (
	allocsPath     = "/v1/allocations?task_states=true&resources=true"
	allocsFinished = `ClientStatus == "complete" and DesiredStatus != "run"`
	allocsCurrent  = `ClientStatus != "complete" or DesiredStatus == "run"`
)

// Deployments are split the same way. Every job update cancels the
// deployment before it, so under churn the list is mostly cancelled ones
// (425 of 427, 250 KB, on the bench's churn cluster after an hour: 8 % of
// the CPU the TUI spent before its first frame, and more on the server);
// the outages and the first frame need the running and failed ones only
// (a job's newest deployment failed at its current version). Successful
// and cancelled are final, and come with the history.
const (
	deploymentsFinished = `Status == "successful" or Status == "cancelled"`
	deploymentsCurrent  = `Status != "successful" and Status != "cancelled"`
)

// deniedTopics maps refused resources to the stream topics to leave out
// (Nomad refuses a whole subscription when one topic is not allowed).
func deniedTopics(denied []*BackendError) map[string]bool {
	topics := map[string]bool{}
	for _, d := range denied {
		topics[resourceTopic[d.Resource]] = true
	}
	return topics
}

// resourceOrder is the order of the lists, for a stable denied report.
var resourceOrder = map[string]int{"nodes": 0, "jobs": 1, "allocations": 2, "deployments": 3, "evaluations": 4}

var resourceTopic = map[string]string{
	"nodes": "Node", "jobs": "Job", "allocations": "Allocation",
	"deployments": "Deployment", "evaluations": "Evaluation",
}

func (w *Watcher) listNomadAll(ctx context.Context, early func(nomadState, []*BackendError)) (nomadState, uint64, []*BackendError, error) {
	st := nomadState{
		jobs: map[string]*Job{}, allocs: map[string]*Alloc{}, nodes: map[string]*Node{},
		deps: map[string]*Deployment{}, evals: map[string]*BlockedEval{},
	}
	var (
		index  uint64
		denied []*BackendError
		mu     sync.Mutex // guards index, denied and firstErr
		first  error
	)
	// queryAt reads one list; ok false when refused (403) and recorded.
	// at, when set, gets the list's index.
	queryAt := func(at *uint64, resource, endpoint string, out any, q *nomadapi.QueryOptions) (bool, error) {
		qm, err := w.lists.Raw().Query(endpoint, out, q)
		if err == nil && at != nil {
			*at = qm.LastIndex
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if be := backendError("nomad", resource, w.nomadAddr, w.nomadToken, err); be.PermissionDenied() {
				denied = append(denied, be)
				return false, nil
			}
			return false, resourceErr{resource, err}
		}
		if index == 0 || qm.LastIndex < index {
			index = qm.LastIndex
		}
		return true, nil
	}
	query := func(resource, endpoint string, out any, q *nomadapi.QueryOptions) (bool, error) {
		return queryAt(nil, resource, endpoint, out, q)
	}
	filtered := func(filter string) *nomadapi.QueryOptions {
		q := w.nomadQuery(ctx)
		q.Filter = filter
		return q
	}
	// Both allocation reads ask the same table: the later one's index
	// cannot be lower unless the server lost state in between (a restart).
	var currentAt, finishedAt uint64
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
	}
	// The lists are independent: read them at once, so the first frame
	// waits for the slowest list, not for their sum. Each goroutine fills
	// its own variable; the maps are filled after Wait.
	var (
		wg, done sync.WaitGroup
		nodes    []*wireNode
		jobs     []*wireJob
		allocs   []*wireAlloc
		finished []*wireAlloc
		deps     []*wireDeployment
		pastDeps []*wireDeployment // successful and cancelled: history
		evals    []*wireEval
	)
	wg.Go(func() {
		ok, err := query("nodes", "/v1/nodes", &nodes, w.nomadQuery(ctx))
		switch {
		case err != nil:
			fail(err)
		case ok:
			if err := w.readNodeMeta(ctx, nodes); err != nil {
				fail(resourceErr{"nodes", err})
			}
		}
	})
	wg.Go(func() {
		if _, err := query("jobs", "/v1/jobs", &jobs, w.nomadQuery(ctx)); err != nil {
			fail(err)
		}
	})
	wg.Go(func() {
		if _, err := queryAt(&currentAt, "allocations", allocsPath, &allocs, filtered(allocsCurrent)); err != nil {
			fail(err)
		}
	})
	wg.Go(func() {
		if _, err := query("deployments", "/v1/deployments", &deps, filtered(deploymentsCurrent)); err != nil {
			fail(err)
		}
	})
	wg.Go(func() {
		if _, err := query("evaluations", "/v1/evaluations", &evals, filtered(`Status == "blocked"`)); err != nil {
			fail(err)
		}
	})
	// The region (agent/self: a large answer, decoded into maps) names
	// nothing on screen: it is read with the history, after the first
	// publish, into its own variable (early holds a copy of st); a relist
	// keeps the one known until then.
	w.mu.Lock()
	st.region = w.nstate.region
	w.mu.Unlock()
	var region string
	readFinished := func(after time.Duration) {
		done.Go(func() {
			if !sleep(ctx, after) {
				return
			}
			var reads sync.WaitGroup
			reads.Go(func() { region = w.nomadRegion(ctx) })
			reads.Go(func() {
				if _, err := queryAt(&finishedAt, "allocations", allocsPath, &finished, filtered(allocsFinished)); err != nil {
					fail(err)
				}
			})
			reads.Go(func() {
				if _, err := query("deployments", "/v1/deployments", &pastDeps, filtered(deploymentsFinished)); err != nil {
					fail(err)
				}
			})
			reads.Wait()
		})
	}
	if early == nil {
		readFinished(0)
	}
	wg.Wait()
	// Refusals arrive in any order: report them in the lists' order (the
	// first one is the error shown), once per resource.
	sorted := func() []*BackendError {
		mu.Lock()
		defer mu.Unlock()
		d := slices.Clone(denied)
		slices.SortStableFunc(d, func(a, b *BackendError) int {
			return resourceOrder[a.Resource] - resourceOrder[b.Resource]
		})
		return slices.CompactFunc(d, func(a, b *BackendError) bool { return a.Resource == b.Resource })
	}
	mu.Lock()
	err := first
	mu.Unlock()
	if err == nil && early != nil {
		w.fillState(&st, nodes, jobs, allocs, deps, evals)
		early(st, sorted())
	}
	if early != nil && err == nil {
		// Read after the first publish, and after the frame drawing it,
		// so that encoding the history (on the server: under churn most
		// of the allocations) and decoding it here do not take the 2
		// cores a bastion may have from what a member sees first.
		readFinished(historyAfter)
	}
	done.Wait()
	if region != "" {
		st.region = region
	}
	if first != nil {
		return st, 0, nil, first
	}
	if finishedAt != 0 && finishedAt < currentAt {
		return st, 0, nil, errRestartedBetweenReads
	}
	denied = sorted()
	if early != nil {
		// st is the watcher's now: add the history to copies.
		st.jobs, st.allocs, st.deps = maps.Clone(st.jobs), maps.Clone(st.allocs), maps.Clone(st.deps)
		w.fillState(&st, nil, nil, finished, pastDeps, nil)
		return st, index, denied, nil
	}
	w.fillState(&st, nodes, jobs, append(allocs, finished...), append(deps, pastDeps...), evals)
	return st, index, denied, nil
}

// fillState adds listed objects to st.
func (w *Watcher) fillState(st *nomadState, nodes []*wireNode, jobs []*wireJob, allocs []*wireAlloc, deps []*wireDeployment, evals []*wireEval) {
	w.mu.Lock()
	for _, n := range nodes {
		st.nodes[n.ID] = w.nodeMeta[n.ID]
	}
	w.mu.Unlock()
	for _, j := range jobs {
		st.jobs[jobKey(j.Namespace, j.ID)] = j.toJob()
	}
	for _, a := range allocs {
		st.allocs[a.ID] = a.toAlloc()
	}
	for _, d := range deps {
		// A deployment read running, then final with the history: the
		// later read wins.
		if old := st.deps[d.ID]; old == nil || old.ModifyIndex <= d.ModifyIndex {
			st.deps[d.ID] = d.toDeployment()
		}
	}
	for _, e := range evals {
		if e.Status == "blocked" {
			st.evals[e.ID] = e.toBlocked()
		}
	}
	// Job versions: list stubs lack them; take the highest seen on allocs.
	for _, a := range st.allocs {
		if j := st.jobs[jobKey(a.Namespace, a.JobID)]; j != nil && a.JobVersion > j.Version {
			c := *j
			c.Version = a.JobVersion
			st.jobs[jobKey(a.Namespace, a.JobID)] = &c
		}
	}
}

// errRestartedBetweenReads: the server's index went back between the
// first reads and the history (it restarted, or restored a snapshot): the
// lists and the stream's index would not match, so list again.
var errRestartedBetweenReads = errors.New("nomad's index went back between the lists")

// historyAfter: the TUI draws a new snapshot within a frame (120 FPS)
// and the terminal has it a few milliseconds later.
const historyAfter = 25 * time.Millisecond

// resourceErr tags an error with the resource whose request failed.
type resourceErr struct {
	resource string
	err      error
}

func (e resourceErr) Error() string { return e.resource + ": " + e.err.Error() }
func (e resourceErr) Unwrap() error { return e.err }

// nomadRegion returns the configured region, else asks the agent (best
// effort: no agent:read capability just leaves it empty).
func (w *Watcher) nomadRegion(ctx context.Context) string {
	if w.region != "" {
		return w.region
	}
	var self nomadapi.AgentSelf
	if _, err := w.lists.Raw().Query("/v1/agent/self", &self, (&nomadapi.QueryOptions{}).WithContext(ctx)); err != nil {
		return ""
	}
	region, _ := self.Config["Region"].(string)
	return region
}

// metaFetchers bounds concurrent per-node requests.
const metaFetchers = 4

// readNodeMeta fills w.nodeMeta for listed nodes: Nomad 1.6's node list
// carries no Meta, but meta changes bump ModifyIndex, so only new or
// changed nodes cost a request. Later node changes come with their meta
// in the event stream.
func (w *Watcher) readNodeMeta(ctx context.Context, nodes []*wireNode) error {
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		ferr    error
		sem     = make(chan struct{}, metaFetchers)
		fetched int
		next    = make(map[string]*Node, len(nodes))
	)
	w.mu.Lock()
	cache := w.nodeMeta
	w.mu.Unlock()
	for _, stub := range nodes {
		n := stub.toNode()
		if c := cache[n.ID]; c != nil && c.ModifyIndex == n.ModifyIndex {
			n.Meta = c.Meta
			if n.Address == "" {
				n.Address = c.Address
			}
			next[n.ID] = n
			continue
		}
		fetched++
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var full wireNode
			_, err := w.lists.Raw().Query("/v1/node/"+url.PathEscape(n.ID), &full, w.nomadQuery(ctx))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if ferr == nil {
					ferr = fmt.Errorf("node %s: %w", n.Name, err)
				}
				return
			}
			n.Meta = full.Meta
			if n.Address == "" {
				n.Address = full.address()
			}
			next[n.ID] = n
		})
	}
	wg.Wait()
	if ferr != nil {
		return ferr
	}
	w.mu.Lock()
	w.nodeMeta = next
	w.mu.Unlock()
	if fetched > 0 && w.nodeCache != "" {
		// Off the first publish's path; the stream replaces entries of
		// w.nodeMeta, so the file is written from a copy.
		go func(nodes map[string]*Node) { _ = saveNodeCache(w.nodeCache, nodes) }(maps.Clone(next))
	}
	return nil
}

// wireEvent decodes its payload in the same pass as the frame: under
// churn the stream is most of the binary's work (a frame with Payload as
// json.RawMessage, then each payload again, scanned the bytes four times).
type wireEvent struct {
	Topic, Type string
	Payload     wirePayload
}

type wireFrame struct {
	Index  uint64
	Events []wireEvent
	Error  string // sent by Nomad before it closes a subscription
}

type wirePayload struct {
	Job        *wireJob
	Allocation *wireAlloc
	Node       *wireNode
	Deployment *wireDeployment
	Evaluation *wireEval
}

// errStreamClosed: the server ended the stream (restart, leader change).
var errStreamClosed = errors.New("event stream closed by the server")

// errStreamIdle: no frame, not even a heartbeat (Nomad sends one every
// 10 s), within streamIdle.
var errStreamIdle = errors.New("event stream silent (no heartbeat): connection hung")

// stream follows the event stream after index, applying each frame, until
// it breaks or ctx ends (then it returns a nil error). It returns how many
// frames arrived.
func (w *Watcher) stream(ctx context.Context, index uint64, skip map[string]bool) (int, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Watchdog: a hung server or half-open connection never errors; cancel
	// the request when even heartbeats stop (connecting included). Each
	// frame pushes the deadline back (a timer reset, no goroutine woken).
	watchdog := time.AfterFunc(w.streamIdle, func() { cancel(errStreamIdle) })
	defer watchdog.Stop()
	idle := func(err error) error {
		if c := context.Cause(ctx); errors.Is(c, errStreamIdle) {
			return c
		}
		if ctx.Err() != nil {
			return nil
		}
		return err
	}

	v := url.Values{}
	for _, t := range streamTopics {
		if !skip[t] {
			v.Add("topic", t)
		}
	}
	v.Set("index", fmt.Sprint(index+1))
	body, err := w.lists.Raw().Response("/v1/event/stream?"+v.Encode(), w.nomadQuery(ctx))
	if err != nil {
		return 0, idle(err)
	}
	defer body.Close()

	// Connected: the data is current from now on.
	w.succeed(&w.nomadH, false, nil)
	var tail tailBuffer
	dec := json.NewDecoder(io.TeeReader(body, &tail))
	frames := 0
	for {
		var f wireFrame
		err := dec.Decode(&f)
		var odd *json.UnmarshalTypeError
		if errors.As(err, &odd) {
			// A field of another type than expected (a server-side change):
			// the decoder went on and filled the rest of the frame; one odd
			// field must not stop the stream.
			err = nil
		}
		if err != nil {
			switch {
			case errors.Is(err, io.EOF):
				err = errStreamClosed
			case frames > 0:
				// Mid-stream: the server went away, not a bad answer. It
				// may have said why in plain text ("subscription closed by
				// server, client should resubscribe" when it shuts down).
				err = streamInterrupted(err, tail.lastLine())
			}
			return frames, idle(err)
		}
		frames++
		watchdog.Reset(w.streamIdle)
		if f.Error != "" {
			return frames, errors.New("event stream closed by Nomad: " + f.Error)
		}
		if len(f.Events) == 0 {
			// Heartbeat: data still current; nothing to publish.
			w.succeed(&w.nomadH, false, nil)
			continue
		}
		w.mu.Lock()
		changed := w.applyLocked(f.Events)
		moved := w.nodeMoved
		w.nodeMoved = false
		w.mu.Unlock()
		if moved {
			// A node changed state (down, draining, ineligible…): publish
			// before the next frame, which may already be read, can
			// coalesce it away (a drain that completes at once would show
			// only its end, and its transition would never be recorded).
			w.succeed(&w.nomadH, false, nil)
			w.publish()
		} else {
			w.succeed(&w.nomadH, changed, nil)
		}
		if changed && !w.batchFrames(ctx) {
			return frames, idle(nil)
		}
	}
}

// batchFrames waits, after a change, until just before the next publish
// is due: frames arriving meanwhile wait in the connection's buffers and
// are then read in one go, instead of waking the process for each (7 a
// second under the bench's churn, and each wake costs the Go scheduler
// and sysmon more than the frame itself). No change is shown later than
// the throttle shows it anyway. False when ctx ended.
func (w *Watcher) batchFrames(ctx context.Context) bool {
	const margin = 50 * time.Millisecond // to read the batch before the publish
	next := w.nextPublish.Load()
	if next == 0 {
		return ctx.Err() == nil
	}
	return sleep(ctx, time.Until(time.Unix(0, next).Add(-margin)))
}

// applyLocked applies one frame's events to the state (under w.mu) and
// says whether anything changed. An object is replaced only by a version
// at least as new as the one held.
func (w *Watcher) applyLocked(events []wireEvent) bool {
	st := &w.nstate
	if st.jobs == nil {
		return false // not listed yet
	}
	changed := false
	for i := range events {
		e, p := &events[i], &events[i].Payload
		switch {
		case e.Topic == "Job" && p.Job != nil:
			k := jobKey(p.Job.Namespace, p.Job.ID)
			if e.Type == "JobDeregistered" {
				w.dropJobLocked(p.Job.Namespace, p.Job.ID)
				changed = true
				continue
			}
			if old := st.jobs[k]; old == nil || old.ModifyIndex <= p.Job.ModifyIndex {
				st.jobs[k] = p.Job.toJob()
				changed = true
			}
		case e.Topic == "Allocation" && p.Allocation != nil:
			a := p.Allocation.toAlloc()
			old := st.allocs[a.ID]
			if old != nil && old.ModifyIndex > a.ModifyIndex {
				continue
			}
			// Alloc events carry no job: keep the version known, else
			// take the job's current one (the alloc is new).
			switch {
			case old != nil:
				a.JobVersion = old.JobVersion
			case st.jobs[jobKey(a.Namespace, a.JobID)] != nil:
				a.JobVersion = st.jobs[jobKey(a.Namespace, a.JobID)].Version
			}
			st.allocs[a.ID] = a
			changed = true
		case e.Topic == "Node" && p.Node != nil:
			if e.Type == "NodeDeregistration" {
				delete(st.nodes, p.Node.ID)
				changed, w.nodeMoved = true, true
				continue
			}
			// Nomad sends a node again with each update of its allocations
			// (same ModifyIndex, nothing held here changed): keep it.
			if old := st.nodes[p.Node.ID]; old == nil || old.ModifyIndex <= p.Node.ModifyIndex {
				n := p.Node.toNode()
				if old != nil && sameNode(old, n) {
					continue
				}
				if old == nil || old.State() != n.State() {
					w.nodeMoved = true
				}
				st.nodes[n.ID] = n
				w.nodeMeta[n.ID] = n
				changed = true
			}
		case e.Topic == "Deployment" && p.Deployment != nil:
			if old := st.deps[p.Deployment.ID]; old == nil || old.ModifyIndex <= p.Deployment.ModifyIndex {
				st.deps[p.Deployment.ID] = p.Deployment.toDeployment()
				changed = true
			}
		case e.Topic == "Evaluation" && p.Evaluation != nil:
			if p.Evaluation.Status == "blocked" {
				st.evals[p.Evaluation.ID] = p.Evaluation.toBlocked()
				changed = true
			} else if _, held := st.evals[p.Evaluation.ID]; held {
				delete(st.evals, p.Evaluation.ID)
				changed = true
			}
		}
	}
	return changed
}

// sameNode: a and b hold the same fields (Site is set by the build).
func sameNode(a, b *Node) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Datacenter == b.Datacenter && a.Status == b.Status &&
		a.Eligible == b.Eligible && a.Drain == b.Drain && a.NodePool == b.NodePool && a.Class == b.Class &&
		a.Site == b.Site && a.Address == b.Address && a.StatusDescription == b.StatusDescription &&
		a.ModifyIndex == b.ModifyIndex && maps.Equal(a.Meta, b.Meta)
}

// dropJobLocked forgets a purged job and what hangs off it (Nomad deletes
// them without events of their own).
func (w *Watcher) dropJobLocked(ns, id string) {
	st := &w.nstate
	delete(st.jobs, jobKey(ns, id))
	for k, a := range st.allocs {
		if a.Namespace == ns && a.JobID == id {
			delete(st.allocs, k)
		}
	}
	for k, d := range st.deps {
		if d.Namespace == ns && d.JobID == id {
			delete(st.deps, k)
		}
	}
	for k, e := range st.evals {
		if e.Namespace == ns && e.JobID == id {
			delete(st.evals, k)
		}
	}
}

// streamInterrupted words an event stream that broke mid-way, with the
// line the server sent instead of a frame, when it is text.
func streamInterrupted(err error, line string) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) && line != "" && !strings.HasPrefix(line, "{") && utf8.ValidString(line) {
		return fmt.Errorf("event stream interrupted: nomad said %q", line)
	}
	return fmt.Errorf("event stream interrupted: %v", err)
}

// tailBuffer keeps the last bytes read from the stream (frames are JSON
// objects, one per line), to quote what broke it.
type tailBuffer struct{ b []byte }

const tailKeep = 512

func (t *tailBuffer) Write(p []byte) (int, error) {
	if len(p) >= tailKeep {
		t.b = append(t.b[:0], p[len(p)-tailKeep:]...)
	} else {
		t.b = append(t.b, p...)
		if over := len(t.b) - tailKeep; over > 0 {
			t.b = append(t.b[:0], t.b[over:]...)
		}
	}
	return len(p), nil
}

// lastLine is the last non-empty line seen, at most 200 bytes.
func (t *tailBuffer) lastLine() string {
	lines := strings.Split(strings.TrimSpace(string(t.b)), "\n")
	line := strings.TrimSpace(lines[len(lines)-1])
	if len(line) > 200 {
		line = line[:200]
	}
	return line
}
