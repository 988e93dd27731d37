// Package rota is the on-call screen: who is on call now and next in each
// rotation with the handoff notes, a calendar strip of the coming weeks per
// member (gaps and leave conflicts marked), the proposals waiting for you,
// the leave not over yet, and forms to propose or accept a swap, add an
// override, write a handoff note, mark leave and withdraw it, and my own
// contact methods for paging (add, remove).
package rota

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/views/common"
)

// days is how far ahead the calendar strip looks.
const days = 28

type Model struct {
	ctx      *common.Context
	keys     KeyMap
	data     data
	scroll   int
	form     *form
	sel      int             // selected proposal group in data.awaiting
	csel     int             // selected contact in data.contacts
	confirm  *oncall.Contact // asked to remove: the next key decides
	flash    string          // the last action's outcome
	flashErr bool
}

type data struct {
	loaded   bool
	at       time.Time
	from, to time.Time // the calendar range (midnight in the viewer's zone)
	onCall   []oncall.OnCall
	sched    []oncall.RotationSchedule
	leaves   []oncall.Leave
	members  []oncall.Member
	avail    map[string][]oncall.Window // by handle; absent: always available
	awaiting [][]oncall.Override        // proposals waiting for me, swap halves grouped
	contacts []oncall.Contact           // mine, in paging order
	err      error
}

type dataMsg data

func New(ctx *common.Context) *Model { return &Model{ctx: ctx, keys: DefaultKeyMap()} }

func (m *Model) Title() string   { return "rota" }
func (m *Model) Capturing() bool { return m.form != nil || m.confirm != nil }
func (m *Model) Init() tea.Cmd   { return m.load() }

// loc is the viewer's zone: the member's, else UTC.
func (m *Model) loc() *time.Location {
	if m.ctx.Me.TZ != "" {
		return common.Location(m.ctx.Me.TZ)
	}
	return time.UTC
}

func (m *Model) load() tea.Cmd {
	st, now, me, loc := m.ctx.Store, m.ctx.Now(), m.ctx.Me.Handle, m.loc()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		y, mo, d := now.In(loc).Date()
		dd := data{loaded: true, at: now, from: time.Date(y, mo, d, 0, 0, 0, 0, loc), to: time.Date(y, mo, d+days, 0, 0, 0, 0, loc)}
		var err error
		if dd.onCall, err = st.OnCallAt(ctx, now); err != nil {
			return dataMsg{loaded: true, err: err}
		}
		if dd.sched, err = st.Schedule(ctx, dd.from, dd.to); err != nil {
			return dataMsg{loaded: true, err: err}
		}
		if dd.leaves, err = st.Leaves(ctx, dd.from, dd.to); err != nil {
			return dataMsg{loaded: true, err: err}
		}
		if dd.members, err = st.Members(ctx); err != nil {
			return dataMsg{loaded: true, err: err}
		}
		if dd.avail, err = st.Availability(ctx); err != nil {
			return dataMsg{loaded: true, err: err}
		}
		if me != "" {
			aw, err := st.AwaitingConsent(ctx, me)
			if err != nil {
				return dataMsg{loaded: true, err: err}
			}
			dd.awaiting = groupSwaps(aw)
			cs, err := st.Contacts(ctx)
			if err != nil {
				return dataMsg{loaded: true, err: err}
			}
			dd.contacts = cs[me]
		}
		return dataMsg(dd)
	}
}

func groupSwaps(os []oncall.Override) [][]oncall.Override {
	var out [][]oncall.Override
	idx := map[int64]int{}
	for _, o := range os {
		if o.SwapID != 0 {
			if i, ok := idx[o.SwapID]; ok {
				out[i] = append(out[i], o)
				continue
			}
			idx[o.SwapID] = len(out)
		}
		out = append(out, []oncall.Override{o})
	}
	return out
}

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.StoreChangedMsg:
		return m, m.load()
	case dataMsg:
		m.data = data(msg)
		m.sel = min(m.sel, max(len(m.data.awaiting)-1, 0))
		m.csel = min(m.csel, max(len(m.data.contacts)-1, 0))
		return m, nil
	case formDoneMsg:
		if m.form == nil {
			return m, nil
		}
		m.form.busy = false
		if msg.err != nil {
			m.form.err = msg.err.Error()
			return m, nil
		}
		m.form, m.flash, m.flashErr = nil, msg.ok, false
		return m, m.load()
	case actionDoneMsg:
		m.flash, m.flashErr = msg.text, msg.err
		return m, m.load()
	}
	if m.form != nil {
		cmd, closed := m.form.update(msg, m.keys.Form)
		if closed {
			m.form = nil
		}
		return m, cmd
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	if m.confirm != nil {
		return m, m.confirmKey(km)
	}
	switch {
	case key.Matches(km, m.keys.Up):
		m.scroll = max(m.scroll-1, 0)
	case key.Matches(km, m.keys.Down):
		m.scroll++
	case key.Matches(km, m.keys.Swap):
		return m, m.open(m.swapForm)
	case key.Matches(km, m.keys.Override):
		return m, m.open(m.overrideForm)
	case key.Matches(km, m.keys.Note):
		return m, m.open(m.noteForm)
	case key.Matches(km, m.keys.Leave):
		return m, m.open(m.leaveForm)
	case key.Matches(km, m.keys.Withdraw):
		return m, m.open(m.withdrawForm)
	case key.Matches(km, m.keys.Availability):
		return m, m.open(m.availabilityForm)
	case key.Matches(km, m.keys.PrevProposal):
		m.sel = max(m.sel-1, 0)
	case key.Matches(km, m.keys.NextProposal):
		m.sel = min(m.sel+1, max(len(m.data.awaiting)-1, 0))
	case key.Matches(km, m.keys.AddContact):
		return m, m.open(m.contactForm)
	case key.Matches(km, m.keys.RemoveContact):
		m.askRemove()
	case key.Matches(km, m.keys.PrevContact):
		m.csel = max(m.csel-1, 0)
	case key.Matches(km, m.keys.NextContact):
		m.csel = min(m.csel+1, max(len(m.data.contacts)-1, 0))
	case key.Matches(km, m.keys.Accept):
		return m, m.decide(true)
	case key.Matches(km, m.keys.Decline):
		return m, m.decide(false)
	}
	return m, nil
}

// open shows a form, unless the OS user is no member (every action is
// signed by the member it maps to).
func (m *Model) open(build func() *form) tea.Cmd {
	if m.ctx.Me.Handle == "" {
		m.flash, m.flashErr = "you are not a member, so you cannot act on the rota", true
		if m.ctx.MeErr != nil {
			m.flash += ": " + m.ctx.MeErr.Error()
		}
		return nil
	}
	m.flash = ""
	m.form = build()
	return m.form.fields[0].in.Focus()
}

type actionDoneMsg struct {
	text string
	err  bool
}

// decide accepts or declines the selected proposal waiting for me.
func (m *Model) decide(accept bool) tea.Cmd {
	if len(m.data.awaiting) == 0 || m.ctx.Me.Handle == "" {
		m.flash, m.flashErr = "no proposal is waiting for you", true
		return nil
	}
	g := m.data.awaiting[m.sel]
	st, me, id := m.ctx.Store, m.ctx.Me.Handle, g[0].ID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var got []oncall.Override
		var err error
		if accept {
			got, err = st.ConfirmOverride(ctx, me, id)
		} else {
			got, err = st.WithdrawOverride(ctx, me, id)
		}
		if err != nil {
			return actionDoneMsg{text: err.Error(), err: true}
		}
		return actionDoneMsg{text: fmt.Sprintf("#%d %s: %s", id, describe(got), got[0].Status)}
	}
}

// describe writes a proposal group as one line.
func describe(g []oncall.Override) string {
	var parts []string
	for _, o := range g {
		parts = append(parts, o.Covering+" covers "+o.Covered)
	}
	kind := "override"
	if len(g) > 1 {
		kind = "swap"
	}
	return kind + " on " + g[0].Rotation + " (" + strings.Join(parts, ", ") + ")"
}

const clock = "Mon 02 Jan 15:04 MST"

func (m *Model) View() string {
	st := m.ctx.Styles
	if m.form != nil {
		return m.form.view(st, m.ctx.Width)
	}
	if m.confirm != nil {
		return m.confirmView()
	}
	switch {
	case !m.data.loaded:
		return st.Muted.Render("loading the rota…")
	case m.data.err != nil:
		return st.Crit.Render("rota unavailable: ") + sanitize.Line(m.data.err.Error())
	}
	var lines []string
	if m.flash != "" {
		style := st.OK
		if m.flashErr {
			style = st.Crit
		}
		lines = append(lines, style.Render(sanitize.Line(m.flash)), "")
	}
	if len(m.data.onCall) == 0 {
		lines = append(lines, st.Muted.Render("No rotation yet: entretien rotation create, or rotation apply FILE."))
	}
	loc := m.loc()
	for i, oc := range m.data.onCall {
		lines = append(lines, m.rotationLines(oc, m.data.sched[i], loc)...)
		lines = append(lines, "")
	}
	lines = append(lines, m.awaitingLines(loc)...)
	lines = append(lines, m.leaveLines(loc)...)
	lines = append(lines, m.availabilityLines()...)
	lines = append(lines, m.contactLines()...)
	lines = append(lines, m.calendar(loc)...)
	if m.scroll > len(lines)-1 {
		m.scroll = max(len(lines)-1, 0)
	}
	return strings.Join(lines[m.scroll:], "\n")
}

func (m *Model) rotationLines(oc oncall.OnCall, sch oncall.RotationSchedule, loc *time.Location) []string {
	st := m.ctx.Styles
	r := oc.Rotation
	every := r.Every()
	if r.Handoff != "" {
		every += ", handoff " + r.Handoff + " " + r.TZ
	}
	lines := []string{st.Section.Render(sanitize.Line(r.Name)) + "  " + st.Muted.Render(sanitize.Line(every))}
	if oc.HasNow {
		who := st.OK.Render(sanitize.Line(oc.Now.Member))
		if oc.Now.Covers != "" {
			who += st.Info.Render(" covering " + sanitize.Line(oc.Now.Covers))
		}
		lines = append(lines, "  now   "+who+st.Muted.Render(" until "+oc.Now.End.In(loc).Format(clock)))
	} else {
		lines = append(lines, "  now   "+st.Warn.Render("nobody"))
	}
	next := st.Bold.Render(sanitize.Line(oc.Next.Member))
	if oc.Next.Covers != "" {
		next += st.Info.Render(" covering " + sanitize.Line(oc.Next.Covers))
	}
	lines = append(lines, "  next  "+next+st.Muted.Render(" from "+oc.Next.Start.In(loc).Format(clock)))
	for _, n := range oc.Notes {
		lines = append(lines, "  "+st.Key.Render("handoff note")+st.Muted.Render(" from "+sanitize.Line(n.Author)+":"))
		for _, l := range strings.Split(sanitize.Text(n.Text), "\n") {
			lines = append(lines, "    "+l)
		}
	}
	for _, n := range oc.NextNotes {
		lines = append(lines, "  "+st.Muted.Render("note for the next handoff, from "+sanitize.Line(n.Author)+": ")+
			sanitize.Line(strings.ReplaceAll(n.Text, "\n", " / ")))
	}
	for _, g := range sch.Gaps {
		lines = append(lines, "  "+st.Crit.Render("gap")+" "+g.Start.In(loc).Format(clock)+" → "+g.End.In(loc).Format(clock)+
			st.Muted.Render("  "+sanitize.Line(g.Reason)))
	}
	for _, o := range sch.Pending {
		lines = append(lines, "  "+st.Warn.Render(fmt.Sprintf("proposed #%d", o.ID))+" "+sanitize.Line(fmt.Sprintf("%s covers %s %s → %s, waiting for %s",
			o.Covering, o.Covered, o.Start.In(loc).Format(clock), o.End.In(loc).Format(clock), strings.Join(o.AwaitingFrom(), " and "))))
	}
	return lines
}

func (m *Model) awaitingLines(loc *time.Location) []string {
	st := m.ctx.Styles
	if len(m.data.awaiting) == 0 {
		return nil
	}
	lines := []string{st.Section.Render("Waiting for you") + st.Muted.Render("  a accept · x decline · [ ] select")}
	for i, g := range m.data.awaiting {
		mark := "  "
		if i == m.sel {
			mark = st.Key.Render("› ")
		}
		var parts []string
		for _, o := range g {
			parts = append(parts, fmt.Sprintf("%s covers %s %s → %s", o.Covering, o.Covered, o.Start.In(loc).Format(clock), o.End.In(loc).Format(clock)))
		}
		kind := "override"
		if len(g) > 1 {
			kind = "swap"
		}
		note := ""
		if g[0].Note != "" {
			note = " (" + g[0].Note + ")"
		}
		text := fmt.Sprintf("#%d %s from %s on %s%s: %s", g[0].ID, kind, g[0].ProposedBy, g[0].Rotation, note, strings.Join(parts, "; "))
		line := mark + sanitize.Line(text)
		if i == m.sel {
			line = mark + st.Cursor.Render(sanitize.Line(text))
		}
		lines = append(lines, line)
	}
	return append(lines, "")
}
