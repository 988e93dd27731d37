// Package outages is the default screen: what is down or degraded now, per
// site, since when, who is on call and the open incident for it, if any.
// Enter drills into the thing that is broken; i opens the incident about it.
package outages

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/allocs"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/incidents"
	"codeberg.org/entretien/entretien/views/jobs"
	"codeberg.org/entretien/entretien/views/nodes"
	"codeberg.org/entretien/entretien/views/services"
)

// Model is the outages screen: a list built from Snapshot.Outages plus
// the rota and the open incidents read from the store.
type Model struct {
	*common.ListScreen
	ctx    *common.Context
	board  common.Board
	paging pagingMsg // what entretien watch did (paging.go)
}

func New(ctx *common.Context) *Model {
	m := &Model{ctx: ctx}
	ls := common.NewListScreen(ctx, "outages",
		common.Col{Title: "SITE", Min: 6}, common.Col{Title: "WHAT", Min: 10}, common.Col{Title: "STATUS", Min: 8},
		common.Col{Title: "SINCE", Min: 5}, common.Col{Title: "INCIDENT", Min: 8}, common.Col{Title: "DETAIL", Min: 10, Flex: true})
	ls.Empty = "nothing is down or degraded"
	ls.OpenHelp = "open what is broken"
	ls.Build = func(snap *sources.Snapshot) []common.Row {
		now := ctx.Now()
		os := slices.Clone(snap.Outages)
		// Worst first within a site, sites in name order.
		slices.SortStableFunc(os, func(a, b sources.Outage) int {
			if a.Site != b.Site {
				return strings.Compare(a.Site, b.Site)
			}
			return sources.StatusRank(b.Status) - sources.StatusRank(a.Status)
		})
		rows := make([]common.Row, 0, len(os))
		for _, o := range os {
			inc := common.IncidentSpec(m.incidentFor(o))
			what := o.Name
			if o.Kind == "job" {
				what = jobs.Label(snap, o.Namespace, o.Name)
			}
			rows = append(rows, common.Row{
				ID: o.Kind + "/" + o.Namespace + "/" + o.Name + "/" + o.Site, Sites: common.Sites(o.Site), Data: o,
				Cells: []common.Spec{
					{Text: common.SiteLabel(o.Site), Kind: common.Bold},
					{Text: o.Kind + " " + what},
					common.StatusSpec(o.Status),
					{Text: common.Since(now, o.Since), Kind: common.Muted},
					inc,
					{Text: m.pagingDetail(o, now), Kind: common.Muted},
				},
			})
		}
		return rows
	}
	ls.Head = func(snap *sources.Snapshot, width int) string { return m.head(snap) }
	ls.Open = func(r common.Row) tea.Cmd { return Open(ctx, r.Data.(sources.Outage)) }
	// enter drills into what is broken; i opens the incident about it.
	ls.Actions = []common.Action{{
		Binding: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "open its incident")),
		Run: func(r common.Row, ok bool) tea.Cmd {
			if !ok {
				return nil
			}
			o := r.Data.(sources.Outage)
			if in, found := m.incidentFor(o); found {
				return common.Push(incidents.NewIncident(ctx, in.ID))
			}
			return common.Notice("no open incident about " + o.Kind + " " + o.Name)
		},
	}, {
		Binding: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new incident")),
		Run: func(r common.Row, ok bool) tea.Cmd {
			if !ok {
				return nil
			}
			return m.newIncident(r.Data.(sources.Outage))
		},
	}, {
		Binding: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "ack its page")),
		Run: func(r common.Row, ok bool) tea.Cmd {
			if !ok {
				return nil
			}
			return m.ack(r.Data.(sources.Outage))
		},
	}}
	m.ListScreen = ls
	return m
}

// newIncident opens the form prefilled from o, or, when an incident in
// progress already affects it, that incident's screen, saying so.
func (m *Model) newIncident(o sources.Outage) tea.Cmd {
	if !m.board.Loaded || m.board.Err != nil {
		// Not knowing the open incidents, a new one could duplicate one.
		return common.Notice("the open incidents are not read yet: try again in a moment")
	}
	if in, found := m.incidentFor(o); found {
		note := fmt.Sprintf("%s %s is already in #%d (affects %s): no new incident", o.Kind, o.Name, in.ID, strings.Join(in.Affects, ", "))
		return common.Push(incidents.NewIncident(m.ctx, in.ID).WithNote(note))
	}
	ctx := m.ctx
	return common.Push(common.NewIncidentFormFor(ctx, o, func(in oncall.Incident) tea.Cmd {
		return common.Push(incidents.NewIncident(ctx, in.ID))
	}))
}

// Open is the screen an outage drills into.
func Open(ctx *common.Context, o sources.Outage) tea.Cmd {
	switch {
	case o.Kind == "service":
		return common.Push(services.NewInstances(ctx, o.Name))
	case o.Kind == "node" && o.NodeID != "":
		return common.Push(nodes.NewDetail(ctx, o.NodeID))
	case o.Kind == "job":
		id := o.JobID
		if id == "" {
			id = o.Name
		}
		return common.Push(jobs.NewAllocsIn(ctx, o.Namespace, id))
	case o.Kind == "site":
		return common.Push(nodes.NewForSite(ctx, o.Name))
	case o.AllocID != "":
		return common.Push(allocs.New(ctx, o.AllocID))
	}
	return nil
}

func (m *Model) Init() tea.Cmd { return tea.Batch(m.ListScreen.Init(), m.load()) }

// load reads the rota and the open incidents off the event loop.
func (m *Model) load() tea.Cmd { return tea.Batch(common.LoadBoard(m.ctx, m), loadPaging(m.ctx, m)) }

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.StoreChangedMsg:
		return m, m.load()
	case ackMsg:
		if msg.owner == m {
			return m, m.acked(msg)
		}
		return m, nil
	case pagingMsg:
		if msg.owner == m {
			m.paging = msg
			m.Invalidate()
		}
		return m, nil
	case common.BoardMsg:
		if msg.Owner == m {
			m.board = msg.Board
			m.Invalidate()
		}
		return m, nil
	}
	return m, m.Handle(msg)
}

// incidentFor is the open incident naming the outage's subject, else one
// naming its site.
func (m *Model) incidentFor(o sources.Outage) (oncall.Incident, bool) {
	subject := o.Kind + "/" + o.Name
	for _, in := range m.board.Incidents {
		if slices.Contains(in.Affects, subject) {
			return in, true
		}
	}
	if o.Site != "" {
		for _, in := range m.board.Incidents {
			if slices.Contains(in.Affects, "site/"+o.Site) {
				return in, true
			}
		}
	}
	return oncall.Incident{}, false
}

// head says who is on call now, and the state of each site.
func (m *Model) head(snap *sources.Snapshot) string {
	st := m.ctx.Styles
	now := m.ctx.Now()
	var oc string
	switch {
	case !m.board.Loaded:
		oc = st.Muted.Render("on call: loading…")
	case m.board.Err != nil:
		oc = st.Crit.Render("rota unavailable: ") + st.Muted.Render(sanitize.Line(m.board.Err.Error()))
	case len(m.board.OnCall) == 0:
		oc = st.Muted.Render("no rotation yet")
	default:
		var parts []string
		for _, r := range m.board.OnCall {
			p := st.Muted.Render("on call (" + sanitize.Line(r.Rotation.Name) + ") ")
			if r.HasNow {
				p += st.Bold.Render(sanitize.Line(r.Now.Member)) + st.Muted.Render(" for "+common.Left(r.Now.End.Sub(now)))
			} else {
				p += st.Warn.Render("nobody now")
			}
			parts = append(parts, p)
		}
		oc = strings.Join(parts, st.Muted.Render(" · "))
	}
	var sites []string
	for _, s := range snap.Sites {
		if s.Name == "" && s.NodesUp+s.NodesDown == 0 {
			continue // Consul-only services (consul, nomad) have no site
		}
		status := s.State()
		if snap.Nomad.Stale() {
			status = "stale"
		}
		sites = append(sites, st.Bold.Render(sanitize.Line(common.SiteLabel(s.Name)))+" "+st.ForStatus(status).Render(status))
	}
	line2 := strings.Join(sites, st.Muted.Render(" · "))
	if n := len(m.board.Incidents); n > 0 {
		line2 += st.Muted.Render("  ·  " + common.Plural(n, "open incident", "open incidents"))
	}
	return oc + "\n" + line2
}

func (m *Model) ShortHelp() []key.Binding  { return m.ListScreen.ShortHelp() }
func (m *Model) FullHelp() [][]key.Binding { return m.ListScreen.FullHelp() }
