package sources

import (
	"context"
	"slices"
	"sync"

	consulapi "github.com/hashicorp/consul/api"
)

// startConsul starts the local datacenter's loops and the datacenter list
// loop, which starts and stops the other datacenters' loops.
func (w *Watcher) startConsul(ctx context.Context, wg *sync.WaitGroup) {
	w.runDC(ctx, wg, w.local)
	wg.Go(func() { w.followDatacenters(ctx, wg) })
}

func newDC(name string, local bool) *dcData {
	return &dcData{
		name: name, local: local,
		checksH:   part{backend: "consul", resource: "health checks"},
		nodesH:    part{backend: "consul", resource: "catalog nodes"},
		servicesH: part{backend: "consul", resource: "catalog services"},
	}
}

// runDC starts the blocking-query loops of one datacenter: health checks
// (instances and their state), catalog nodes (meta), catalog services (the
// names, so that a service registered without any check still shows; its
// index moves on registrations only, not on check changes).
func (w *Watcher) runDC(ctx context.Context, wg *sync.WaitGroup, d *dcData) {
	if !d.local {
		d.checksH.resource = "health checks of datacenter " + d.name
		d.nodesH.resource = "catalog nodes of datacenter " + d.name
		d.servicesH.resource = "catalog services of datacenter " + d.name
	}
	query := func(ctx context.Context, index uint64) *consulapi.QueryOptions {
		q := &consulapi.QueryOptions{WaitIndex: index, WaitTime: w.waitTime}
		if !d.local {
			q.Datacenter = d.name
		}
		return q.WithContext(ctx)
	}
	wg.Go(func() {
		w.follow(ctx, &d.checksH, func(ctx context.Context, index uint64) (uint64, func(), error) {
			checks, qm, err := w.consul.Health().State(consulapi.HealthAny, query(ctx, index))
			if err != nil {
				return 0, nil, err
			}
			if d.local {
				// Learn the local name (stored by consulDatacenter) if the
				// datacenter loop has not yet.
				nctx, cancel := context.WithTimeout(ctx, w.requestSlack)
				w.consulDatacenter(nctx)
				cancel()
			}
			return qm.LastIndex, func() { d.checks, d.haveChecks = checks, true }, nil
		})
	})
	wg.Go(func() {
		w.follow(ctx, &d.nodesH, func(ctx context.Context, index uint64) (uint64, func(), error) {
			nodes, qm, err := w.consul.Catalog().Nodes(query(ctx, index))
			if err != nil {
				return 0, nil, err
			}
			return qm.LastIndex, func() { d.nodes, d.haveNodesList = nodes, true }, nil
		})
	})
	wg.Go(func() {
		w.follow(ctx, &d.servicesH, func(ctx context.Context, index uint64) (uint64, func(), error) {
			svcs, qm, err := w.consul.Catalog().Services(query(ctx, index))
			if err != nil {
				return 0, nil, err
			}
			return qm.LastIndex, func() { d.services = svcs }, nil
		})
	})
}

// followDatacenters polls catalog/datacenters (not a blocking endpoint;
// one small request per dcRefresh) and keeps one pair of loops per other
// datacenter.
func (w *Watcher) followDatacenters(ctx context.Context, wg *sync.WaitGroup) {
	failures := 0
	for {
		var dcs []string
		rctx, cancel := context.WithTimeout(ctx, w.requestSlack)
		_, err := w.consul.Raw().Query("/v1/catalog/datacenters", &dcs, (&consulapi.QueryOptions{}).WithContext(rctx))
		cancel()
		if ctx.Err() != nil {
			return
		}
		wait := w.dcRefresh
		if err != nil {
			failures++
			w.fail(&w.dcsH, err)
			wait = min(wait, w.backoff(failures))
		} else {
			failures = 0
			w.mu.Lock()
			local := w.dcName
			w.mu.Unlock()
			if local == "" {
				// Learn the local name now (agent/self) rather than with the
				// first health answer, so the other datacenters' queries
				// start with the local ones instead of one backoff later.
				nctx, cancel := context.WithTimeout(ctx, w.requestSlack)
				local = w.consulDatacenter(nctx)
				cancel()
			}
			if local == "" {
				// The local name is learnt with the first health answer;
				// without it we cannot tell which entry is ours.
				wait = min(wait, w.backoff(1))
			}
			w.succeed(&w.dcsH, w.syncRemote(ctx, wg, local, dcs), nil)
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

// syncRemote starts loops for new datacenters and stops those that left;
// it reports whether the set changed.
func (w *Watcher) syncRemote(ctx context.Context, wg *sync.WaitGroup, local string, dcs []string) bool {
	if local == "" {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	changed := false
	for _, name := range dcs {
		if name == local || w.remote[name] != nil {
			continue
		}
		d := newDC(name, false)
		dctx, cancel := context.WithCancel(ctx)
		d.cancel = cancel
		w.remote[name] = d
		w.runDC(dctx, wg, d)
		changed = true
	}
	for name, d := range w.remote {
		if !slices.Contains(dcs, name) {
			d.cancel()
			delete(w.remote, name)
			changed = true
		}
	}
	return changed
}

// consulDatacenter asks the agent its datacenter once (best effort) and
// stores it as the local one. The health loop and the datacenter loop both
// need it at start: the second waits for the first's answer (dcAsk) rather
// than asking again; both call it with a timeout.
func (w *Watcher) consulDatacenter(ctx context.Context) string {
	w.dcAsk.Lock()
	defer w.dcAsk.Unlock()
	w.mu.Lock()
	dc := w.dcName
	w.mu.Unlock()
	if dc != "" {
		return dc
	}
	q := (&consulapi.QueryOptions{}).WithContext(ctx)
	// agent/self is ~20 KB (its DebugConfig above all): decode the one
	// field, not the whole document into maps.
	var self struct{ Config struct{ Datacenter string } }
	if _, err := w.consul.Raw().Query("/v1/agent/self", &self, q); err == nil {
		dc = self.Config.Datacenter
	}
	if dc == "" {
		var dcs []string
		if _, err := w.consul.Raw().Query("/v1/catalog/datacenters", &dcs, q); err == nil && len(dcs) > 0 {
			dc = dcs[0]
		}
	}
	if dc != "" {
		w.mu.Lock()
		if w.dcName == "" {
			w.dcName, w.local.name = dc, dc
		}
		dc = w.dcName
		w.mu.Unlock()
	}
	return dc
}

// inputsLocked gathers the current state for a build (under w.mu). Values
// are shared, not copied: they are never mutated once stored.
func (w *Watcher) inputsLocked() inputs {
	in := inputs{
		NomadAddr: w.nomadAddr, ConsulAddr: w.consulAddr,
		Region: w.nstate.region, Datacenter: w.dcName,
	}
	if in.Region == "" {
		in.Region = w.region
	}
	st := &w.nstate
	in.Jobs = ptrValues(st.jobs)
	in.Allocs = ptrValues(st.allocs)
	in.Nodes = ptrValues(st.nodes)
	in.Deployments = ptrValues(st.deps)
	in.Evals = ptrValues(st.evals)
	in.Nomad = combineHealth(w.nomadH.resHealth)
	if in.Nomad.Err == nil && w.nomadDenied != nil {
		in.Nomad.Err = w.nomadDenied
	}
	if w.local != nil {
		in.Checks = w.local.checks
		in.Services = w.local.services
		in.ConsulNodes = w.local.nodes
		in.Consul = combineHealth(w.local.checksH.resHealth, w.local.nodesH.resHealth, w.local.servicesH.resHealth)
		// The datacenter list is read once a minute: its error counts, its
		// age would not tell how current the local data is.
		if in.Consul.Err == nil {
			in.Consul.Err = w.dcsH.err
		}
		in.DCs = append(in.DCs, ConsulDatacenter{Name: w.dcName, Local: true, Health: in.Consul})
	}
	in.Store = w.storeInputsLocked()
	for _, name := range sortedKeys(w.remote) {
		d := w.remote[name]
		in.Remote = append(in.Remote, dcChecks{Name: name, Checks: d.checks, Services: d.services})
		in.ConsulNodes = append(slices.Clip(in.ConsulNodes), d.nodes...)
		in.DCs = append(in.DCs, ConsulDatacenter{Name: name, Health: combineHealth(d.checksH.resHealth, d.nodesH.resHealth, d.servicesH.resHealth)})
	}
	return in
}

func ptrValues[V any](m map[string]*V) []*V {
	out := make([]*V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
