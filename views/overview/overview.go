// Package overview is the second tab (outages is the default screen): per
// site, what runs and what is broken, who is on call now and next, and the
// open incidents; i opens the selected site's incident.
package overview

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/incidents"
	"codeberg.org/entretien/entretien/views/theme"
)

// Model is the overview screen.
type Model struct {
	ctx  *common.Context
	keys KeyMap

	snap   *sources.Snapshot
	board  common.Board
	cursor int
}

func New(ctx *common.Context) *Model {
	return &Model{ctx: ctx, keys: DefaultKeyMap()}
}

func (m *Model) Title() string               { return "overview" }
func (m *Model) Capturing() bool             { return false }
func (m *Model) Init() tea.Cmd               { return m.load() }
func (m *Model) Snapshot() *sources.Snapshot { return m.snap }

// load reads the board (rota, open incidents) off the event loop.
func (m *Model) load() tea.Cmd { return common.LoadBoard(m.ctx, m) }

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.SnapshotMsg:
		m.snap = msg.Snap
		m.cursor = min(m.cursor, max(len(m.snap.Sites)-1, 0))
	case common.StoreChangedMsg:
		return m, m.load()
	case common.BoardMsg:
		if msg.Owner == m {
			m.board = msg.Board
		}
	case tea.KeyPressMsg:
		n := 0
		if m.snap != nil {
			n = len(m.snap.Sites)
		}
		switch {
		case key.Matches(msg, m.keys.Up):
			m.cursor = max(m.cursor-1, 0)
		case key.Matches(msg, m.keys.Down):
			m.cursor = min(m.cursor+1, max(n-1, 0))
		case key.Matches(msg, m.keys.Top):
			m.cursor = 0
		case key.Matches(msg, m.keys.Bottom):
			m.cursor = max(n-1, 0)
		case key.Matches(msg, m.keys.Incident):
			if in, ok := m.selectedIncident(); ok {
				return m, common.Push(incidents.NewIncident(m.ctx, in.ID))
			}
			return m, common.Notice("no open incident about this site")
		}
	}
	return m, nil
}

func (m *Model) View() string {
	st := m.ctx.Styles
	w := m.ctx.Width
	now := m.ctx.Now()
	var b strings.Builder

	b.WriteString(st.Section.Render("Sites"))
	b.WriteByte('\n')
	b.WriteString(m.sitesView(now))
	b.WriteString("\n\n")

	b.WriteString(st.Section.Render("On call"))
	b.WriteByte('\n')
	b.WriteString(m.onCallView(now))
	b.WriteString("\n\n")

	b.WriteString(st.Section.Render("Open incidents"))
	b.WriteByte('\n')
	b.WriteString(m.incidentsView(now, w))
	return b.String()
}

func (m *Model) sitesView(now time.Time) string {
	st := m.ctx.Styles
	if m.snap == nil {
		return st.Muted.Render("  waiting for Nomad and Consul…")
	}
	var notes []string
	for _, h := range []struct {
		name string
		h    sources.Health
	}{{"nomad", m.snap.Nomad.Health}, {"consul", m.snap.Consul.Health}} {
		switch {
		case h.h.Err != nil && h.h.Updated.IsZero():
			notes = append(notes, st.Crit.Render("  "+h.name+" unreachable")+st.Muted.Render(": "+sanitize.Line(h.h.Err.Error())))
		case h.h.Err != nil:
			notes = append(notes, st.Stale.Render(fmt.Sprintf("  %s stale (%s old)", h.name, common.Ago(h.h.Age(now))))+st.Muted.Render(": "+sanitize.Line(h.h.Err.Error())))
		}
	}
	db := m.snap.Store
	if status, detail := db.Status(); status == sources.SiteDown || status == sources.SiteDegraded {
		notes = append(notes, st.ForStatus(status).Render("  database "+status)+st.Muted.Render(": "+sanitize.Line(detail)))
	}
	if len(m.snap.Sites) == 0 {
		notes = append(notes, st.Muted.Render("  no sites known yet"))
		return strings.Join(notes, "\n")
	}
	t := common.Table{
		Cols: []common.Col{
			{Title: "SITE", Min: 9}, {Title: "NODES", Min: 8}, {Title: "ALLOCATIONS", Min: 12},
			{Title: "SERVICES", Min: 12}, {Title: "INCIDENT", Min: 8}, {Title: "HOSTED BY", Min: 9, Flex: true},
		},
		Cursor: m.cursor,
	}
	// The database is part of the infrastructure: with a bastion per site,
	// each site's member and its role, beside Nomad and Consul.
	if db.Scope != "" {
		t.Cols = slices.Insert(t.Cols, 4, common.Col{Title: "DATABASE", Min: 12})
	}
	nomadStale, consulStale := m.snap.Nomad.Stale(), m.snap.Consul.Stale()
	for _, s := range m.snap.Sites {
		name := s.Name
		if name == "" {
			name = "(no site)"
		}
		row := []common.Cell{
			{Text: name, Style: st.Bold},
			counts(st, nomadStale, []count{{s.NodesUp, "up", "ready"}, {s.NodesDown, "down", "down"}}),
			counts(st, nomadStale, []count{{s.AllocsRunning, "running", "running"}, {s.AllocsPending, "pending", "pending"}, {s.AllocsFailed, "failed", "failed"}}),
			counts(st, consulStale, []count{{s.ServicesPassing, "passing", "passing"}, {s.ServicesWarning, "warning", "warning"}, {s.ServicesCritical, "critical", "critical"}}),
			m.incidentCell(s.Name),
			{Text: hosts(s.Hosts), Style: st.Muted},
		}
		if db.Scope != "" {
			row = slices.Insert(row, 4, storeCell(st, db, s.Name))
		}
		t.Rows = append(t.Rows, row)
	}
	out := t.Render(st.Header, st.Cursor, m.ctx.Width-2, len(t.Rows)+1)
	out = indent(out, "  ")
	if len(notes) > 0 {
		out = strings.Join(notes, "\n") + "\n" + out
	}
	return out
}

// storeCell is a site's database member: its role, or why it has none.
func storeCell(st *theme.Styles, db sources.StoreCluster, site string) common.Cell {
	mb, ok := db.Member(site)
	switch {
	case !ok:
		return common.Cell{Text: "—", Style: st.Muted}
	case db.Health.Stale():
		return common.Cell{Text: mb.Role, Style: st.Stale}
	case !mb.Up():
		return common.Cell{Text: mb.State, Style: st.ForStatus("down")}
	case mb.Role == sources.RoleStandby:
		return common.Cell{Text: mb.Role, Style: st.Muted}
	}
	return common.Cell{Text: mb.Role, Style: st.ForStatus("passing")}
}

type count struct {
	n           int
	word, state string
}

// counts writes "1 up · 2 down", leaving out zeros but the first, each
// part in the style of its state; stale data is drawn as stale.
func counts(st *theme.Styles, stale bool, cs []count) common.Cell {
	var parts []string
	for i, c := range cs {
		if c.n == 0 && i > 0 {
			continue
		}
		style := st.ForStatus(c.state)
		if c.n == 0 {
			style = st.Muted
		}
		if stale {
			style = st.Stale
		}
		parts = append(parts, style.Render(fmt.Sprintf("%d %s", c.n, c.word)))
	}
	return common.Cell{Text: strings.Join(parts, st.Muted.Render(" · ")), Styled: true}
}

func hosts(h map[string]string) string {
	seen := map[string]bool{}
	var out []string
	for _, name := range sortedKeys(h) {
		if m := h[name]; m != "" && !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return "—"
	}
	return strings.Join(out, ", ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func (m *Model) onCallView(now time.Time) string {
	st := m.ctx.Styles
	switch {
	case !m.board.Loaded:
		return st.Muted.Render("  loading…")
	case m.board.Err != nil:
		return st.Crit.Render("  rota unavailable: ") + st.Muted.Render(sanitize.Line(m.board.Err.Error()))
	case len(m.board.OnCall) == 0:
		return st.Muted.Render("  no rotation yet")
	}
	var lines []string
	for _, oc := range m.board.OnCall {
		line := "  " + st.Bold.Render(sanitize.Line(oc.Rotation.Name)) + "  "
		if oc.HasNow {
			line += "now " + st.OK.Render(sanitize.Line(oc.Now.Member)) +
				st.Muted.Render(fmt.Sprintf(" until %s (%s)", oc.Now.End.In(common.Location(oc.Rotation.TZ)).Format("Mon 2 Jan 15:04"), common.Left(oc.Now.End.Sub(now))))
		} else {
			line += st.Warn.Render("nobody now")
		}
		if oc.Next.Member != "" {
			line += "  next " + st.Bold.Render(sanitize.Line(oc.Next.Member))
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func (m *Model) incidentsView(now time.Time, width int) string {
	st := m.ctx.Styles
	switch {
	case !m.board.Loaded:
		return st.Muted.Render("  loading…")
	case m.board.Err != nil:
		return st.Crit.Render("  journal unavailable: ") + st.Muted.Render(sanitize.Line(m.board.Err.Error()))
	case len(m.board.Incidents) == 0:
		return st.OK.Render("  none")
	}
	ins := m.board.Incidents
	return indent(common.IncidentTable(st, ins, now, width-2, len(ins)+1), "  ")
}

// incidentOfSite is the open incident about a site: one naming the site,
// else one naming something out in it.
func (m *Model) incidentOfSite(site string) (oncall.Incident, bool) {
	for _, in := range m.board.Incidents {
		if slices.Contains(in.Affects, "site/"+site) {
			return in, true
		}
	}
	if m.snap == nil {
		return oncall.Incident{}, false
	}
	for _, o := range m.snap.OutagesOfSite(site) {
		for _, in := range m.board.Incidents {
			if slices.Contains(in.Affects, o.Kind+"/"+o.Name) {
				return in, true
			}
		}
	}
	return oncall.Incident{}, false
}

func (m *Model) selectedIncident() (oncall.Incident, bool) {
	if m.snap == nil || m.cursor >= len(m.snap.Sites) {
		return oncall.Incident{}, false
	}
	return m.incidentOfSite(m.snap.Sites[m.cursor].Name)
}

// incidentCell draws the shared INCIDENT cell of a site in this screen's table.
func (m *Model) incidentCell(site string) common.Cell {
	st := m.ctx.Styles
	in, ok := m.incidentOfSite(site)
	sp := common.IncidentSpec(in, ok)
	style := st.Muted
	if ok {
		style = st.ForStatus(sp.Word)
	}
	return common.Cell{Text: sp.Text, Style: style}
}
