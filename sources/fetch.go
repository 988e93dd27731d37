package sources

import (
	"context"
	"fmt"
	"sync"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

func (w *Watcher) nomadQuery(ctx context.Context, index uint64) *nomadapi.QueryOptions {
	q := &nomadapi.QueryOptions{WaitIndex: index, WaitTime: w.waitTime}
	return q.WithContext(ctx)
}

func (w *Watcher) fetchJobs(ctx context.Context, index uint64) (uint64, func(*inputs), error) {
	jobs, qm, err := w.nomad.Jobs().List(w.nomadQuery(ctx, index))
	if err != nil {
		return 0, nil, err
	}
	region := w.nomadRegion(ctx)
	return qm.LastIndex, func(in *inputs) {
		in.Jobs = jobs
		if region != "" {
			in.Region = region
		}
	}, nil
}

// nomadRegion returns the configured region, else asks the agent once it
// answers (best effort: no agent:read capability just leaves it empty).
func (w *Watcher) nomadRegion(ctx context.Context) string {
	w.mu.Lock()
	region := w.raw.Region
	w.mu.Unlock()
	if region != "" {
		return region
	}
	var self nomadapi.AgentSelf
	if _, err := w.nomad.Raw().Query("/v1/agent/self", &self, (&nomadapi.QueryOptions{}).WithContext(ctx)); err != nil {
		return ""
	}
	region, _ = self.Config["Region"].(string)
	return region
}

func (w *Watcher) fetchAllocs(ctx context.Context, index uint64) (uint64, func(*inputs), error) {
	allocs, qm, err := w.nomad.Allocations().List(w.nomadQuery(ctx, index))
	if err != nil {
		return 0, nil, err
	}
	return qm.LastIndex, func(in *inputs) { in.Allocs = allocs }, nil
}

// metaFetchers bounds concurrent per-node requests after a node list change.
const metaFetchers = 4

// fetchNodes lists nodes (blocking), then reads the meta of nodes that are
// new or changed since last time: Nomad 1.6's node list carries no Meta
// and has no option to include it, but meta changes bump ModifyIndex, so a
// steady cluster costs no per-node request.
func (w *Watcher) fetchNodes(ctx context.Context, index uint64) (uint64, func(*inputs), error) {
	stubs, qm, err := w.nomad.Nodes().List(w.nomadQuery(ctx, index))
	if err != nil {
		return 0, nil, err
	}
	nodes := make([]rawNode, len(stubs))
	var todo []int
	for i, s := range stubs {
		nodes[i].Stub = s
		if c, ok := w.nodeMeta[s.ID]; ok && c.Stub.ModifyIndex == s.ModifyIndex {
			nodes[i].Meta = c.Meta
		} else {
			todo = append(todo, i)
		}
	}
	if err := w.readNodeMeta(ctx, nodes, todo); err != nil {
		return 0, nil, err
	}
	cache := make(map[string]rawNode, len(nodes))
	for _, n := range nodes {
		cache[n.Stub.ID] = n
	}
	w.nodeMeta = cache
	return qm.LastIndex, func(in *inputs) { in.Nodes = nodes }, nil
}

func (w *Watcher) readNodeMeta(ctx context.Context, nodes []rawNode, todo []int) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ferr error
		sem  = make(chan struct{}, metaFetchers)
	)
	for _, i := range todo {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			q := (&nomadapi.QueryOptions{}).WithContext(ctx)
			n, _, err := w.nomad.Nodes().Info(nodes[i].Stub.ID, q)
			if err != nil {
				mu.Lock()
				if ferr == nil {
					ferr = fmt.Errorf("node %s: %w", nodes[i].Stub.Name, err)
				}
				mu.Unlock()
				return
			}
			nodes[i].Meta = n.Meta
		})
	}
	wg.Wait()
	return ferr
}

func (w *Watcher) fetchChecks(ctx context.Context, index uint64) (uint64, func(*inputs), error) {
	q := (&consulapi.QueryOptions{WaitIndex: index, WaitTime: w.waitTime}).WithContext(ctx)
	checks, qm, err := w.consul.Health().State(consulapi.HealthAny, q)
	if err != nil {
		return 0, nil, err
	}
	dc := w.consulDatacenter(ctx)
	return qm.LastIndex, func(in *inputs) {
		in.Checks = checks
		if dc != "" {
			in.Datacenter = dc
		}
	}, nil
}

// consulDatacenter asks the agent once (agent/self, else the first of
// catalog/datacenters, which lists the local one first). Best effort.
func (w *Watcher) consulDatacenter(ctx context.Context) string {
	w.mu.Lock()
	dc := w.raw.Datacenter
	w.mu.Unlock()
	if dc != "" {
		return dc
	}
	q := (&consulapi.QueryOptions{}).WithContext(ctx)
	var self map[string]map[string]any
	if _, err := w.consul.Raw().Query("/v1/agent/self", &self, q); err == nil {
		if dc, _ = self["Config"]["Datacenter"].(string); dc != "" {
			return dc
		}
	}
	var dcs []string
	if _, err := w.consul.Raw().Query("/v1/catalog/datacenters", &dcs, q); err == nil && len(dcs) > 0 {
		return dcs[0]
	}
	return ""
}
