package decisions

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
)

// Link is where a proposal comes from: an incident, and its retro's
// factor or action item (zero: none). Driver and Affects prefill the form.
type Link struct {
	IncidentID, FactorID, ActionItemID int64
	Driver                             string
	Affects                            []string
}

// Form opens a proposal. It is a screen on the stack: once the store has
// the proposal it pops itself and opens the proposal's screen. It owns
// every key while open: esc cancels.
type Form struct {
	ctx    *common.Context
	keys   FormKeys
	link   Link
	fields []textinput.Model
	focus  int
	err    string
	busy   bool
	snap   *sources.Snapshot // what the cluster has, to refuse an unknown object
}

var formLabels = []string{"title  ", "driver ", "affects", "closes ", "text   "}

type openedMsg struct {
	owner *Form
	p     oncall.Proposal
	err   error
}

func NewForm(ctx *common.Context, link Link) *Form {
	f := &Form{ctx: ctx, keys: DefaultFormKeys(), link: link}
	holders := []string{"the change, in a few words", "why: the need or problem", "service/guichet site/lyon node/lyon-1 rotation/primary",
		"+7d, 2026-12-20 18:00", "what is proposed, whole"}
	for i, h := range holders {
		in := textinput.New()
		in.Prompt, in.Placeholder, in.CharLimit = "", h, oncall.MaxEntryBytes
		f.fields = append(f.fields, in)
		_ = i
	}
	f.fields[1].SetValue(sanitize.Line(link.Driver))
	f.fields[2].SetValue(sanitize.Line(strings.Join(link.Affects, " ")))
	f.fields[3].SetValue("+7d")
	f.fields[0].Focus()
	return f
}

func (f *Form) Title() string   { return "new proposal" }
func (f *Form) Capturing() bool { return true }
func (f *Form) Init() tea.Cmd   { return textinput.Blink }

func (f *Form) ShortHelp() []key.Binding {
	return []key.Binding{f.keys.Next, f.keys.Submit, f.keys.Cancel}
}

func (f *Form) FullHelp() [][]key.Binding {
	return [][]key.Binding{{f.keys.Next, f.keys.Prev, f.keys.Submit, f.keys.Cancel}}
}

func (f *Form) setFocus(i int) {
	f.focus = (i + len(f.fields)) % len(f.fields)
	for k := range f.fields {
		f.fields[k].Blur()
	}
	f.fields[f.focus].Focus()
}

func (f *Form) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case openedMsg:
		if msg.owner != f {
			return f, nil
		}
		f.busy = false
		if msg.err != nil {
			f.err = "not opened: " + msg.err.Error()
			return f, nil
		}
		return f, tea.Sequence(common.Pop(), common.Push(NewProposal(f.ctx, msg.p.ID)))
	case common.SnapshotMsg:
		f.snap = msg.Snap
		return f, nil
	case tea.PasteMsg:
		var cmd tea.Cmd
		f.fields[f.focus], cmd = f.fields[f.focus].Update(msg)
		return f, cmd
	case tea.KeyPressMsg:
		if f.busy {
			return f, nil
		}
		switch {
		case key.Matches(msg, f.keys.Cancel):
			return f, common.Pop()
		case key.Matches(msg, f.keys.Submit):
			return f, f.submit()
		case key.Matches(msg, f.keys.Next):
			f.setFocus(f.focus + 1)
			return f, nil
		case key.Matches(msg, f.keys.Prev):
			f.setFocus(f.focus - 1)
			return f, nil
		}
		f.err = ""
		var cmd tea.Cmd
		f.fields[f.focus], cmd = f.fields[f.focus].Update(msg)
		return f, cmd
	}
	return f, nil
}

func (f *Form) submit() tea.Cmd {
	if f.ctx.Me.Handle == "" {
		f.err = "only members bring proposals"
		return nil
	}
	loc := common.Location(f.ctx.Me.TZ)
	closes, _, err := oncall.ParseTime("proposal.closes_at", strings.TrimSpace(f.fields[3].Value()), loc, f.ctx.Now())
	if err != nil {
		f.err = err.Error()
		f.setFocus(3)
		return nil
	}
	affects := strings.FieldsFunc(f.fields[2].Value(), func(r rune) bool { return r == ' ' || r == ',' })
	if err := Known(f.snap, affects); err != nil {
		f.err = err.Error()
		f.setFocus(2)
		return nil
	}
	n := oncall.NewProposal{Title: strings.TrimSpace(f.fields[0].Value()), Driver: strings.TrimSpace(f.fields[1].Value()),
		Affects: affects,
		Text:    strings.TrimSpace(f.fields[4].Value()), ClosesAt: closes,
		IncidentID: f.link.IncidentID, FactorID: f.link.FactorID, ActionItemID: f.link.ActionItemID}
	f.busy = true
	st, by, owner := f.ctx.Store, f.ctx.Me.Handle, f
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p, err := st.OpenProposal(ctx, by, n)
		return openedMsg{owner: owner, p: p, err: err}
	}
}

func (f *Form) View() string {
	st := f.ctx.Styles
	var b strings.Builder
	b.WriteString(st.Section.Render("Bring a change to the collective") + "\n")
	if l := f.link; l.IncidentID != 0 {
		from := fmt.Sprintf("from incident #%d", l.IncidentID)
		switch {
		case l.FactorID != 0:
			from += fmt.Sprintf(", its retro's factor %d", l.FactorID)
		case l.ActionItemID != 0:
			from += fmt.Sprintf(", its action item #%d", l.ActionItemID)
		}
		b.WriteString(st.Muted.Render(from) + "\n")
	}
	b.WriteString("\n")
	for i, in := range f.fields {
		label := st.Muted.Render("  " + formLabels[i])
		if i == f.focus {
			label = st.Key.Render("› " + formLabels[i])
		}
		b.WriteString(label + " " + in.View() + "\n")
	}
	b.WriteString("\n")
	switch {
	case f.err != "":
		b.WriteString(st.Crit.Render(sanitize.Line(f.err)) + "\n")
	case f.busy:
		b.WriteString(st.Muted.Render("opening…") + "\n")
	}
	b.WriteString(st.Muted.Render("consent by default: adopted when it closes with no standing objection and half the members have taken a position") + "\n")
	b.WriteString(st.Muted.Render("tab: next field · enter: open · esc: cancel"))
	return b.String()
}

// Known refuses a site, node or service the cluster does not have (a typo
// would leave its hosts unheard); without Nomad data nothing is refused.
// Rotations are the store's to check.
func Known(snap *sources.Snapshot, affects []string) error {
	if snap == nil || len(snap.Nomad.Nodes) == 0 {
		return nil
	}
	for _, a := range affects {
		if !snap.Knows(a) {
			kind, _, _ := strings.Cut(a, "/")
			return &oncall.ValidationError{Field: "proposal.affects", Value: a, Reason: "no such " + kind + " in the cluster"}
		}
	}
	return nil
}
