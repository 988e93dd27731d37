package services

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"entretien/sources"
	"entretien/views/common"
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
}

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
	case common.SnapshotMsg:
		cmd := l.Handle(msg)
		if time.Since(l.asked) >= refreshOutputs {
			cmd = tea.Batch(cmd, l.fetch())
		}
		return l, cmd
	}
	return l, l.Handle(msg)
}
