package services

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
)

// refreshOutputs is how often a screen showing check output re-reads the
// agent (one local request).
const refreshOutputs = 5 * time.Second

// live is a list screen that shows check output: it reads the Consul
// agent's live output on open and then every few seconds while snapshots
// arrive, because the catalog's output lags (see sources.AgentChecks).
type live struct {
	*common.ListScreen
	agent   map[string]sources.AgentCheck
	asked   time.Time
	pending bool

	// For a service's instances: where it is registered without checks,
	// its instances come from the catalog, read on demand (the snapshot
	// follows checks, so it has none of them).
	service    string
	catalog    []sources.ServiceInstance
	catalogErr error
	catDCs     string // the datacenters last asked, joined
	catAsked   time.Time
	catPending bool
}

type catalogMsg struct {
	owner *live
	dcs   string
	insts []sources.ServiceInstance
	err   error
}

// refreshCatalog: instances without checks change rarely; re-read them this
// often while the screen is open and snapshots arrive.
const refreshCatalog = 30 * time.Second

type outputsMsg struct {
	owner  *live
	checks map[string]sources.AgentCheck
	err    error
}

func newLive(ls *common.ListScreen) *live { return &live{ListScreen: ls} }

// output is the freshest output of check c.
func (l *live) output(c sources.Check) string {
	if a, ok := l.agent[c.ID]; ok && a.Output != "" {
		return a.Output
	}
	return c.Output
}

func (l *live) Init() tea.Cmd { return tea.Batch(l.ListScreen.Init(), l.fetch()) }

func (l *live) fetch() tea.Cmd {
	cl, owner := l.Ctx.Cluster, l
	if cl == nil || l.pending {
		return nil
	}
	l.pending, l.asked = true, time.Now()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		checks, err := cl.AgentChecks(ctx)
		return outputsMsg{owner: owner, checks: checks, err: err}
	}
}

func (l *live) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case outputsMsg:
		if msg.owner == l {
			l.pending = false
			if msg.err == nil {
				l.agent = msg.checks
				l.Invalidate()
			}
		}
		return l, nil
	case catalogMsg:
		if msg.owner == l {
			l.catPending = false
			l.catalog, l.catalogErr = msg.insts, msg.err
			l.Invalidate()
		}
		return l, nil
	case common.SnapshotMsg:
		cmd := l.Handle(msg)
		if time.Since(l.asked) >= refreshOutputs {
			cmd = tea.Batch(cmd, l.fetch())
		}
		return l, tea.Batch(cmd, l.fetchCatalog(msg.Snap))
	}
	return l, l.Handle(msg)
}

// uncheckedDCs are the datacenters where service is registered without
// any check.
func uncheckedDCs(snap *sources.Snapshot, service string) []string {
	var dcs []string
	for _, u := range snap.Consul.Unchecked {
		if u.Name == service {
			dcs = append(dcs, u.Datacenter)
		}
	}
	return dcs
}

func (l *live) fetchCatalog(snap *sources.Snapshot) tea.Cmd {
	cl, owner := l.Ctx.Cluster, l
	if cl == nil || l.service == "" || snap == nil || l.catPending {
		return nil
	}
	dcs := uncheckedDCs(snap, l.service)
	key := strings.Join(dcs, ",")
	if key == "" { // (now) checked everywhere: the snapshot has its instances
		if l.catalog != nil || l.catalogErr != nil {
			l.catalog, l.catalogErr, l.catDCs = nil, nil, ""
			l.Invalidate()
		}
		return nil
	}
	if key == l.catDCs && time.Since(l.catAsked) < refreshCatalog {
		return nil
	}
	l.catPending, l.catAsked, l.catDCs = true, time.Now(), key
	service := l.service
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var all []sources.ServiceInstance
		for _, dc := range dcs {
			insts, err := cl.ServiceCatalog(ctx, dc, service)
			if err != nil {
				return catalogMsg{owner: owner, dcs: key, insts: all, err: err}
			}
			all = append(all, insts...)
		}
		return catalogMsg{owner: owner, dcs: key, insts: all}
	}
}
