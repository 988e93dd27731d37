package decisions

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/incidents/entrybox"
)

// Proposal is one proposal as a screen on the stack: its text,
// implications, positions, outcome and history, and the box through which
// the member writes.
type Proposal struct {
	ctx    *common.Context
	keys   KeyMap
	id     int64
	p      oncall.Proposal
	loaded bool
	err    error
	scroll int

	input   entrybox.Model
	target  string // "consent" … "abstain", "implication", "amend", "withdraw", "outcome"
	outcome int    // index in closeOutcomes while target is "outcome"
	note    string
	noteErr bool
}

var closeOutcomes = []oncall.ProposalState{oncall.OutcomeAdopted, oncall.OutcomeNotAdopted, oncall.OutcomeExpired}

type (
	proposalMsg struct {
		id  int64
		p   oncall.Proposal
		err error
	}
	writtenMsg struct {
		id   int64
		what string
		err  error
	}
)

func NewProposal(ctx *common.Context, id int64) *Proposal {
	in := entrybox.New()
	in.Limit = oncall.MaxEntryBytes
	return &Proposal{ctx: ctx, keys: DefaultKeyMap(), id: id, input: in}
}

func (m *Proposal) Title() string {
	if !m.loaded {
		return fmt.Sprintf("#%d", m.id)
	}
	return fmt.Sprintf("#%d %s", m.id, ansi.Truncate(m.p.Title, 40, "…"))
}

func (m *Proposal) Capturing() bool { return m.input.Focused() }
func (m *Proposal) Init() tea.Cmd   { return m.load() }

func (m *Proposal) ShortHelp() []key.Binding {
	k := m.keys
	if m.input.Focused() {
		if m.target == "outcome" {
			return []key.Binding{k.Outcome, k.Post, k.Cancel}
		}
		return []key.Binding{k.Post, k.Cancel}
	}
	return []key.Binding{k.Consent, k.Concern, k.Objection, k.Imply, k.Close}
}

func (m *Proposal) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		{k.Consent, k.Concern, k.Objection, k.Abstain, k.Imply, k.Amend, k.Withdraw, k.Close},
		append([]key.Binding{k.Outcome, k.Post, k.Cancel}, k.Moves()...),
	}
}

func (m *Proposal) load() tea.Cmd {
	st, id := m.ctx.Store, m.id
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p, err := st.Proposal(ctx, id)
		return proposalMsg{id: id, p: p, err: err}
	}
}

func (m *Proposal) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.StoreChangedMsg:
		return m, m.load()
	case proposalMsg:
		if msg.id == m.id {
			m.err = msg.err
			if msg.err == nil {
				m.p, m.loaded = msg.p, true
			}
		}
		return m, nil
	case writtenMsg:
		if msg.id != m.id {
			return m, nil
		}
		if msg.err != nil {
			m.note, m.noteErr = "refused: "+msg.err.Error(), true
			return m, nil
		}
		m.note, m.noteErr = msg.what, false
		m.input.Reset()
		m.input.Blur()
		return m, m.load()
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			m.scroll = max(m.scroll-3, 0)
		case tea.MouseWheelDown:
			m.scroll += 3
		}
		return m, nil
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

func (m *Proposal) open(target, initial string) tea.Cmd {
	if m.ctx.Me.Handle == "" {
		m.note, m.noteErr = "only members take part in decisions", true
		return nil
	}
	m.target, m.note = target, ""
	m.input.SetValue(initial)
	m.input.Focus()
	m.input.SetWidth(max(m.ctx.Width-24, 10))
	return nil
}

func (m *Proposal) command(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Consent):
		return m.open(string(oncall.StanceConsent), "")
	case key.Matches(msg, k.Concern):
		return m.open(string(oncall.StanceConcern), "")
	case key.Matches(msg, k.Objection):
		return m.open(string(oncall.StanceObjection), "")
	case key.Matches(msg, k.Abstain):
		return m.open(string(oncall.StanceAbstain), "")
	case key.Matches(msg, k.Imply):
		return m.open("implication", "")
	case key.Matches(msg, k.Amend):
		return m.open("amend", m.p.Text)
	case key.Matches(msg, k.Withdraw):
		return m.open("withdraw", "")
	case key.Matches(msg, k.Close):
		m.outcome = 0
		return m.open("outcome", "")
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
		m.scroll = 1 << 30
	}
	return nil
}

func (m *Proposal) typing(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Post):
		return m.post()
	case key.Matches(msg, m.keys.Cancel):
		m.input.Blur()
		return nil
	case m.target == "outcome" && key.Matches(msg, m.keys.Outcome):
		m.outcome = (m.outcome + 1) % len(closeOutcomes)
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return cmd
}

var reviewRE = regexp.MustCompile(`(?:^|\s)review (\d{4}-\d{2}-\d{2})(?:\s|$)`)

// ParseOutcome reads the outcome box: "statement [review YYYY-MM-DD]
// [+ action title @owner YYYY-MM-DD]…".
func ParseOutcome(state oncall.ProposalState, text string) oncall.NewOutcome {
	parts := strings.Split(text, " + ")
	o := oncall.NewOutcome{State: state, Statement: strings.TrimSpace(parts[0])}
	if mm := reviewRE.FindStringSubmatch(o.Statement); mm != nil {
		o.ReviewOn = mm[1]
		o.Statement = strings.TrimSpace(strings.Replace(o.Statement, "review "+mm[1], "", 1))
	}
	for _, a := range parts[1:] {
		o.Actions = append(o.Actions, oncall.ParseNewAction(a))
	}
	return o
}

func (m *Proposal) post() tea.Cmd {
	st, id, by, text, target := m.ctx.Store, m.id, m.ctx.Me.Handle, m.input.Value(), m.target
	state := closeOutcomes[m.outcome]
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		what := ""
		switch target {
		case "implication":
			_, err = st.AddImplication(ctx, id, by, text)
			what = "implication added"
		case "amend":
			var p oncall.Proposal
			p, err = st.Amend(ctx, id, by, text)
			what = fmt.Sprintf("amended: version %d; %d position(s) to confirm", p.Version, len(p.Tally().Stale))
		case "withdraw":
			_, err = st.Withdraw(ctx, id, by, text)
			what = "withdrawn"
		case "outcome":
			_, err = st.CloseProposal(ctx, id, by, ParseOutcome(state, text))
			what = "outcome recorded: " + state.Words()
		default:
			_, err = st.TakePosition(ctx, id, by, oncall.Stance(target), text)
			what = "your position: " + target
		}
		return writtenMsg{id: id, what: what, err: err}
	}
}

var boxLabels = map[string]string{
	"consent": "consent", "concern": "concern", "objection": "objection: why", "abstain": "abstain",
	"implication": "implication", "amend": "new version", "withdraw": "withdraw: why",
}

func (m *Proposal) View() string {
	st := m.ctx.Styles
	if !m.loaded {
		if m.err != nil {
			return st.Crit.Render(fmt.Sprintf("proposal #%d: ", m.id)) + sanitize.Line(m.err.Error())
		}
		return st.Muted.Render("loading the proposal…")
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
		out += style.Render(ansi.Truncate(sanitize.Line(m.note), w, "…"))
	}
	out += "\n"
	if m.input.Focused() {
		label := boxLabels[m.target]
		if m.target == "outcome" {
			label = "outcome " + closeOutcomes[m.outcome].Words() + " (tab)"
		}
		out += st.Info.Render("["+label+"]") + " " + m.input.View()
	} else {
		out += st.Muted.Render("y consent · c concern · x objection · a abstain · i implication · A amend · W withdraw · C outcome · esc back")
	}
	return out
}

func (m *Proposal) body(w int) []string {
	st := m.ctx.Styles
	p := m.p
	loc := common.Location(m.ctx.Me.TZ)
	now := m.ctx.Now()
	var out []string
	add := func(s string) { out = append(out, s) }
	wrap := func(indent, s string) {
		for _, l := range strings.Split(ansi.Wrap(s, max(w-len(indent), 10), " "), "\n") {
			add(indent + l)
		}
	}
	section := func(title string) { add(""); add(st.Section.Render(title)) }

	state := st.Warn
	switch p.State {
	case oncall.OutcomeAdopted:
		state = st.OK
	case oncall.ProposalOpen:
		state = st.Info
	}
	add(st.Section.Render(fmt.Sprintf("Proposal #%d %s", p.ID, sanitize.Line(p.Title))) + "  " + state.Render(p.State.Words()))
	add(st.Muted.Render(fmt.Sprintf("by %s · %s · opened %s · closes %s", sanitize.Line(p.OpenedBy), p.Process,
		p.OpenedAt.In(loc).Format("02 Jan 15:04"), p.ClosesAt.In(loc).Format("02 Jan 15:04"))))
	wrap("", st.Muted.Render("affects ")+sanitize.Line(strings.Join(p.Affects, ", ")))
	if l := linkWords(p); l != "" {
		add(st.Muted.Render("from ") + l)
	}
	add(p.StateLine(now))
	add(st.Muted.Render(p.QuorumLine()))
	if pos, ok := p.PositionOf(m.ctx.Me.Handle); ok && pos.Version != p.Version && p.State == oncall.ProposalOpen {
		add(st.Warn.Render(fmt.Sprintf("your %s was on version %d: the text changed, confirm it or change it (y c x a)", pos.Stance, pos.Version)))
	}

	section("Driver")
	wrap("  ", sanitize.Line(p.Driver))
	section(fmt.Sprintf("Proposal (version %d)", p.Version))
	wrap("  ", sanitize.Line(p.Text))

	section("Implications")
	if len(p.Implications) == 0 {
		add(st.Muted.Render("  (i to add one: a cost, who must do what, who hosts what afterwards)"))
	}
	for _, im := range p.Implications {
		wrap("  ", "• "+sanitize.Line(im.Text)+st.Muted.Render(" — "+sanitize.Line(im.Author)))
	}

	section("Positions")
	if len(p.Positions) == 0 {
		add(st.Muted.Render("  (none yet: y consent · c concern · x objection · a abstain)"))
	}
	for _, pos := range p.Positions {
		style := st.Muted
		switch pos.Stance {
		case oncall.StanceConsent:
			style = st.OK
		case oncall.StanceConcern:
			style = st.Warn
		case oncall.StanceObjection:
			style = st.Crit
		}
		l := fmt.Sprintf("  %-8s %s", sanitize.Line(pos.Member), style.Render(fmt.Sprintf("%-9s", pos.Stance)))
		if pos.Text != "" {
			l += " " + sanitize.Line(pos.Text)
		}
		if pos.Version != p.Version {
			l += st.Warn.Render(fmt.Sprintf("  (on version %d: to confirm)", pos.Version))
		}
		add(ansi.Truncate(l, w, "…"))
	}

	if o := p.Outcome; o != nil {
		section("Outcome: " + o.State.Words())
		wrap("  ", sanitize.Line(o.Statement)+st.Muted.Render(" — "+sanitize.Line(o.By)+", "+o.At.In(loc).Format("02 Jan 15:04")))
		if o.ReviewOn != "" {
			add("  review on " + o.ReviewOn)
		}
		for _, a := range p.Actions {
			due := a.Due
			if due == "" {
				due = "no date"
			}
			add(fmt.Sprintf("  action #%d %s — %s, %s", a.ID, sanitize.Line(a.Title), sanitize.Line(a.Owner), due))
		}
	} else if m.input.Focused() && m.target == "outcome" {
		section("Outcome")
		add(st.Muted.Render("  statement [review YYYY-MM-DD] [+ action title @owner YYYY-MM-DD]…; owners are members who consented"))
	}

	section("History")
	for _, e := range p.History {
		add(ansi.Truncate(st.Muted.Render(fmt.Sprintf("  %s %-8s %-11s ", e.At.In(loc).Format("02 Jan 15:04"), sanitize.Line(e.Actor), e.Kind))+sanitize.Line(e.Text), w, "…"))
	}
	return out
}

func linkWords(p oncall.Proposal) string {
	var out []string
	if p.IncidentID != 0 {
		out = append(out, fmt.Sprintf("incident #%d", p.IncidentID))
	}
	if p.FactorID != 0 {
		out = append(out, fmt.Sprintf("its retro's factor %d", p.FactorID))
	}
	if p.ActionItemID != 0 {
		out = append(out, fmt.Sprintf("action item #%d", p.ActionItemID))
	}
	return strings.Join(out, ", ")
}
