// Package retro is the retro screen of one incident: the merged timeline
// with the durations between key moments, impact, contributing factors,
// what went well and what was hard, action items (tracked afterwards) and
// the care section. Members add notes and actions from a box at the bottom.
package retro

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/retromd"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/decisions"
	"codeberg.org/entretien/entretien/views/incidents/entrybox"
)

// KeyMap embeds the shared navigation keys (they scroll here).
type KeyMap struct {
	common.NavKeys
	Summary, Impact, Factor, Well, Hard, Task key.Binding
	PrevAction, NextAction, CycleAction       key.Binding
	PrevFactor, NextFactor, Propose           key.Binding
	Post, Cancel                              key.Binding
}

func DefaultKeyMap() KeyMap {
	return KeyMap{
		NavKeys:     common.DefaultNavKeys(),
		Summary:     key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "add to summary")),
		Impact:      key.NewBinding(key.WithKeys("I"), key.WithHelp("I", "add impact")),
		Factor:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "add a factor")),
		Well:        key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "add what went well")),
		Hard:        key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "add what was hard")),
		Task:        key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "add an action item")),
		PrevAction:  key.NewBinding(key.WithKeys("["), key.WithHelp("[ ]", "select action")),
		NextAction:  key.NewBinding(key.WithKeys("]")),
		CycleAction: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "action: next state")),
		PrevFactor:  key.NewBinding(key.WithKeys("{"), key.WithHelp("{ }", "select factor")),
		NextFactor:  key.NewBinding(key.WithKeys("}")),
		Propose:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "propose from it")),
		Post:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "add")),
		Cancel:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel (text kept)")),
	}
}

// Model is the retro of one incident, a screen pushed on the incident's
// (the root pops it on esc; / filters its timeline).
type Model struct {
	ctx    *common.Context
	keys   KeyMap
	id     int64
	loaded bool
	r      oncall.Retro
	err    error

	scroll int
	filter string // lower case: the timeline shows the items containing it
	action int    // selected action item
	factor int    // selected contributing factor
	// picked is what p proposes from: the last selected, "factor" or
	// "action" ("" until one is: the action if any, else the factor).
	picked  string
	input   entrybox.Model
	target  string // what the box adds: a Section, or "action"
	note    string
	noteErr bool
}

type (
	loadedMsg struct {
		id  int64
		r   oncall.Retro
		err error
	}
	doneMsg struct {
		id   int64
		what string
		err  error
	}
)

func New(ctx *common.Context, incidentID int64) *Model {
	in := entrybox.New()
	in.Prompt = "> "
	in.Limit = oncall.MaxEntryBytes // typing or pasting past it is cut, and the box says so
	return &Model{ctx: ctx, keys: DefaultKeyMap(), id: incidentID, input: in}
}

// Title is the breadcrumb, after the incident's: "… › retro".
func (m *Model) Title() string { return "retro" }

// SetFilter narrows the timeline section to the items containing q.
func (m *Model) SetFilter(q string) { m.filter = strings.ToLower(strings.TrimSpace(q)) }

// Capturing is true while the note box has focus.
func (m *Model) Capturing() bool { return m.input.Focused() }

func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) ShortHelp() []key.Binding {
	if m.input.Focused() {
		return []key.Binding{m.keys.Post, m.keys.Cancel}
	}
	return []key.Binding{m.keys.Factor, m.keys.Task, m.keys.CycleAction, m.keys.Down}
}

func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	// Two columns, so the root's (esc, / and the global keys) fits beside
	// them in 100 columns.
	return [][]key.Binding{
		{k.Summary, k.Impact, k.Factor, k.Well, k.Hard, k.Task, k.Post, k.Cancel},
		append([]key.Binding{k.PrevAction, k.CycleAction, k.PrevFactor, k.Propose}, k.Moves()...),
	}
}

func (m *Model) load() tea.Cmd {
	st, id := m.ctx.Store, m.id
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r, err := st.Retro(ctx, id)
		return loadedMsg{id: id, r: r, err: err}
	}
}

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			m.scroll = max(m.scroll-3, 0)
		case tea.MouseWheelDown:
			m.scroll += 3
		}
		return m, nil
	case common.StoreChangedMsg:
		return m, m.load()
	case loadedMsg:
		if msg.id == m.id {
			m.err = msg.err
			if msg.err == nil {
				m.loaded, m.r = true, msg.r
				m.action = min(m.action, max(len(m.r.Actions)-1, 0))
				m.factor = min(m.factor, max(len(m.r.Factors)-1, 0))
			}
		}
		return m, nil
	case doneMsg:
		if msg.id != m.id {
			return m, nil
		}
		if msg.err != nil {
			m.note, m.noteErr = msg.what+" refused: "+msg.err.Error(), true
			return m, nil
		}
		m.note, m.noteErr = msg.what, false
		if m.input.Focused() {
			m.input.Reset()
			m.input.Blur()
		}
		return m, m.load()
	case tea.KeyPressMsg:
		if m.input.Focused() {
			return m, m.typing(msg)
		}
		return m, m.command(msg)
	}
	if m.input.Focused() {
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return m, cmd
	}
	return m, nil
}

// sizeInput fits the note box to the width left by its label.
func (m *Model) sizeInput() {
	label := "[" + sectionNames[m.target] + "]"
	m.input.SetWidth(max(max(m.ctx.Width, 20)-ansi.StringWidth(label)-4, 10))
}

var sectionNames = map[string]string{
	string(oncall.SectionSummary): "summary", string(oncall.SectionImpact): "impact",
	string(oncall.SectionFactor): "contributing factor", string(oncall.SectionWentWell): "what went well",
	string(oncall.SectionWasHard): "what was hard", "action": "action item",
}

func (m *Model) command(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	open := func(target string) tea.Cmd {
		m.target, m.note = target, ""
		m.input.Focus()
		m.sizeInput() // before the first key typed, which may come before a frame
		return nil
	}
	switch {
	case key.Matches(msg, k.Summary):
		return open(string(oncall.SectionSummary))
	case key.Matches(msg, k.Impact):
		return open(string(oncall.SectionImpact))
	case key.Matches(msg, k.Factor):
		return open(string(oncall.SectionFactor))
	case key.Matches(msg, k.Well):
		return open(string(oncall.SectionWentWell))
	case key.Matches(msg, k.Hard):
		return open(string(oncall.SectionWasHard))
	case key.Matches(msg, k.Task):
		return open("action")
	case key.Matches(msg, k.PrevAction):
		m.action, m.picked = max(m.action-1, 0), "action"
	case key.Matches(msg, k.NextAction):
		m.action, m.picked = min(m.action+1, max(len(m.r.Actions)-1, 0)), "action"
	case key.Matches(msg, k.PrevFactor):
		m.factor, m.picked = max(m.factor-1, 0), "factor"
	case key.Matches(msg, k.NextFactor):
		m.factor, m.picked = min(m.factor+1, max(len(m.r.Factors)-1, 0)), "factor"
	case key.Matches(msg, k.Propose):
		return m.propose()
	case key.Matches(msg, k.CycleAction):
		return m.cycleAction()
	case key.Matches(msg, k.Up):
		m.scroll = max(m.scroll-1, 0)
	case key.Matches(msg, k.Down):
		m.scroll++
	case key.Matches(msg, k.PageUp):
		m.scroll = max(m.scroll-max(m.ctx.Height-4, 1), 0)
	case key.Matches(msg, k.PageDown):
		m.scroll += max(m.ctx.Height-4, 1)
	case key.Matches(msg, k.Top):
		m.scroll = 0
	case key.Matches(msg, k.Bottom):
		m.scroll = 1 << 30 // View clamps it to the last page
	}
	return nil
}

func (m *Model) typing(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Post):
		return m.post()
	case key.Matches(msg, m.keys.Cancel):
		m.input.Blur()
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return cmd
}

func (m *Model) by() (string, bool) {
	if m.ctx.Me.Handle == "" {
		m.note, m.noteErr = "only members write the retro", true
		return "", false
	}
	return m.ctx.Me.Handle, true
}

// ParseAction reads "title @owner YYYY-MM-DD" (owner and date optional,
// anywhere in the line).
func ParseAction(s string) oncall.NewAction { return oncall.ParseNewAction(s) }

func (m *Model) post() tea.Cmd {
	by, ok := m.by()
	if !ok {
		return nil
	}
	text, target, st, id := m.input.Value(), m.target, m.ctx.Store, m.id
	what := "added to " + sectionNames[target]
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		if target == "action" {
			_, err = st.AddAction(ctx, id, by, ParseAction(text))
		} else {
			_, err = st.AddRetroNote(ctx, id, by, oncall.Section(target), text)
		}
		return doneMsg{id: id, what: what, err: err}
	}
}

var nextState = map[oncall.ActionState]oncall.ActionState{
	oncall.ActionOpen: oncall.ActionDoing, oncall.ActionDoing: oncall.ActionDone,
	oncall.ActionDone: oncall.ActionDropped, oncall.ActionDropped: oncall.ActionOpen,
}

func (m *Model) cycleAction() tea.Cmd {
	if m.action >= len(m.r.Actions) {
		return nil
	}
	by, ok := m.by()
	if !ok {
		return nil
	}
	a := m.r.Actions[m.action]
	to, st, id := nextState[a.State], m.ctx.Store, m.id
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := st.UpdateAction(ctx, a.ID, by, to, nil, nil)
		return doneMsg{id: id, what: fmt.Sprintf("action #%d is %s", a.ID, to), err: err}
	}
}

func (m *Model) View() string {
	st := m.ctx.Styles
	if !m.loaded {
		if m.err != nil {
			return st.Crit.Render(fmt.Sprintf("retro of #%d: ", m.id)) + sanitize.Line(m.err.Error())
		}
		return st.Muted.Render("loading the retro…")
	}
	w := max(m.ctx.Width, 20)
	lines := m.body(w)
	room := max(m.ctx.Height-2, 1)
	m.scroll = min(m.scroll, max(len(lines)-room, 0))
	end := min(m.scroll+room, len(lines))
	out := strings.Join(lines[m.scroll:end], "\n") + strings.Repeat("\n", room-(end-m.scroll)+1)

	if m.note != "" {
		style := st.Muted
		if m.noteErr {
			style = st.Crit
		}
		out += style.Render(sanitize.Line(m.note))
	}
	out += "\n"
	if m.input.Focused() {
		label := st.Info.Render("[" + sectionNames[m.target] + "]")
		m.sizeInput()
		out += label + " " + m.input.View()
	} else {
		out += st.Muted.Render("f factor · w well · H hard · I impact · S summary · A action · [ ] x action · / timeline · esc back")
	}
	return out
}

func (m *Model) body(w int) []string {
	st := m.ctx.Styles
	r := m.r
	inc := r.Incident
	loc := common.Location(m.ctx.Me.TZ)
	var out []string
	add := func(s string) { out = append(out, s) }
	wrap := func(indent, s string) {
		for _, l := range strings.Split(ansi.Wrap(s, max(w-len(indent), 10), " "), "\n") {
			add(indent + l)
		}
	}
	section := func(title string) { add(""); add(st.Section.Render(title)) }

	title := fmt.Sprintf("Retro of #%d %s", inc.ID, sanitize.Line(inc.Title))
	add(st.Section.Render(title) + "  " + st.ForStatus(string(inc.Status)).Render(string(inc.Status)))
	if r.Ongoing {
		add(st.Warn.Render("draft: the incident is not resolved yet"))
	}

	section("Key moments")
	for _, mo := range r.Moments {
		by := ""
		if mo.By != "" {
			by = " by " + sanitize.Line(mo.By)
		}
		add(fmt.Sprintf("  %-13s %s%s", mo.Name, mo.At.In(loc).Format("02 Jan 15:04"), st.Muted.Render(by)))
	}
	for _, p := range r.Phases {
		add(st.Muted.Render(fmt.Sprintf("  %s → %s: ", p.From, p.To)) + st.Bold.Render(retromd.Duration(p.D)))
	}

	section("Impact")
	affects := strings.Join(inc.Affects, ", ")
	if len(r.ImpactSites) > 0 {
		affects += " · sites " + strings.Join(r.ImpactSites, ", ")
	}
	so := ""
	if r.Ongoing {
		so = " so far"
	}
	wrap("  ", sanitize.Line(affects)+" · for "+retromd.Duration(r.ImpactFor)+so)
	m.notes(&out, r.Impact, w, "")

	section("Summary")
	m.notes(&out, r.Summary, w, "  (S to write one)")
	section("Contributing factors")
	m.factors(&out, w)
	section("What went well")
	m.notes(&out, r.WentWell, w, "  (w to add)")
	section("What was hard")
	m.notes(&out, r.WasHard, w, "  (H to add)")

	section("Action items")
	if len(r.Actions) == 0 {
		add(st.Muted.Render("  (A to add: title @owner YYYY-MM-DD)"))
	}
	for i, a := range r.Actions {
		owner, due := a.Owner, a.Due
		if owner == "" {
			owner = "nobody yet"
		}
		if due == "" {
			due = "no date"
		}
		line := fmt.Sprintf("  #%d %-8s %s — %s, %s", a.ID, a.State, sanitize.Line(a.Title), sanitize.Line(owner), due)
		if i == m.action && m.pick() == "action" {
			line = st.Cursor.Render(line)
		}
		add(line)
	}

	section("Care")
	c := r.Care
	add(fmt.Sprintf("  noticed by %s at %s", sanitize.Line(c.NoticedBy), c.NoticedAt.In(loc).Format("02 Jan 15:04")))
	if len(c.LedBy) > 0 {
		add("  led by " + sanitize.Line(strings.Join(c.LedBy, ", then ")))
	}
	for _, p := range c.People {
		l := fmt.Sprintf("  %s: %d entries, %s–%s", sanitize.Line(p.Member), p.Entries, p.First.In(loc).Format("15:04"), p.Last.In(loc).Format("15:04"))
		var flags []string
		if p.Night > 0 {
			flags = append(flags, fmt.Sprintf("%d at night (%s)", p.Night, sanitize.Line(p.TZ)))
		}
		if p.OnLeave > 0 {
			flags = append(flags, fmt.Sprintf("%d while on leave", p.OnLeave))
		}
		if p.OffCall > 0 {
			flags = append(flags, fmt.Sprintf("%d while not on call", p.OffCall))
		}
		for _, rs := range p.Roles {
			flags = append(flags, fmt.Sprintf("%s %s", rs.Role, retromd.Duration(rs.End(m.ctx.Now()).Sub(rs.Taken))))
		}
		if len(flags) > 0 {
			l += st.Muted.Render(" · " + strings.Join(flags, " · "))
		}
		add(l)
	}
	if len(c.JournalBy) > 0 {
		add("  journal written by " + sanitize.Line(strings.Join(c.JournalBy, ", ")))
	}
	if len(c.RetroBy) > 0 {
		add("  retro written by " + sanitize.Line(strings.Join(c.RetroBy, ", ")))
	}

	section("Timeline")
	if m.filter != "" {
		add(st.Muted.Render("  only the items containing ") + st.Key.Render(sanitize.Line(m.filter)))
	}
	for _, it := range r.Timeline {
		who := it.Who
		if who == "" {
			who = "cluster"
		}
		text := sanitize.Line(it.Text)
		if it.Amends != 0 {
			text = fmt.Sprintf("(amends #%d) %s", it.Amends, text)
		}
		prefix := fmt.Sprintf("  %s %-8s %-11s ", it.At.In(loc).Format("02 Jan 15:04"), ansi.Truncate(sanitize.Line(who), 8, "…"), it.Kind)
		if m.filter != "" && !strings.Contains(strings.ToLower(prefix+text), m.filter) {
			continue
		}
		add(st.Muted.Render(prefix) + text)
	}
	return out
}

func (m *Model) notes(out *[]string, ns []oncall.RetroNote, w int, none string) {
	st := m.ctx.Styles
	if len(ns) == 0 && none != "" {
		*out = append(*out, st.Muted.Render(none))
	}
	for _, n := range ns {
		text := "  • " + sanitize.Line(n.Text) + st.Muted.Render(" — "+sanitize.Line(n.Author))
		*out = append(*out, strings.Split(ansi.Wrap(text, max(w, 10), " "), "\n")...)
	}
}

// pick is what p proposes from: the factor or the action item selected
// last, else the selected action item, else the selected factor.
func (m *Model) pick() string {
	switch {
	case m.picked == "factor" && m.factor < len(m.r.Factors), m.picked == "" && len(m.r.Actions) == 0 && m.factor < len(m.r.Factors):
		return "factor"
	case m.action < len(m.r.Actions):
		return "action"
	}
	return ""
}

// propose opens a proposal form linked to the incident and its selected
// factor or action item; the driver and what it affects are filled in.
func (m *Model) propose() tea.Cmd {
	inc := m.r.Incident
	link := decisions.Link{IncidentID: inc.ID}
	switch m.pick() {
	case "factor":
		f := m.r.Factors[m.factor]
		link.FactorID = f.ID
		link.Driver = fmt.Sprintf("incident #%d %s: %s", inc.ID, inc.Title, f.Text)
	case "action":
		a := m.r.Actions[m.action]
		link.ActionItemID = a.ID
		link.Driver = fmt.Sprintf("incident #%d %s: action item #%d %s", inc.ID, inc.Title, a.ID, a.Title)
	default:
		m.note, m.noteErr = "select a factor ({ }) or an action item ([ ]) to propose from", true
		return nil
	}
	seen := map[string]bool{}
	for _, t := range inc.Affects {
		t = strings.Replace(t, "job/", "service/", 1) // a proposal names the service
		if !seen[t] {
			seen[t] = true
			link.Affects = append(link.Affects, t)
		}
	}
	return common.Push(decisions.NewForm(m.ctx, link))
}

// factors draws the contributing factors, the selected one marked while
// it is what p proposes from.
func (m *Model) factors(out *[]string, w int) {
	st := m.ctx.Styles
	if len(m.r.Factors) == 0 {
		*out = append(*out, st.Muted.Render("  (f to add one: several, never one root cause)"))
	}
	for i, n := range m.r.Factors {
		text := "  • " + sanitize.Line(n.Text) + st.Muted.Render(" — "+sanitize.Line(n.Author))
		if i == m.factor && m.pick() == "factor" {
			text = st.Cursor.Render("  • " + sanitize.Line(n.Text) + " — " + sanitize.Line(n.Author))
		}
		*out = append(*out, strings.Split(ansi.Wrap(text, max(w, 10), " "), "\n")...)
	}
}
