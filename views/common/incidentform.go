package common

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
)

// IncidentForm opens an incident: title, severity and what it affects,
// blank (the journal's n) or prefilled from an outage (the outages
// screen's n). It is a screen pushed on the stack; once the store has the
// incident it pops itself and runs Opened (which pushes the incident's
// screen). It owns every key while open: esc cancels.
type IncidentForm struct {
	ctx     *Context
	keys    IncidentFormKeys
	title   textinput.Model
	affects textinput.Model
	sev     int
	focus   int // 0 title, 1 severity, 2 affects
	from    string
	err     string
	busy    bool
	// Opened is what follows the incident's creation.
	Opened func(oncall.Incident) tea.Cmd
}

// IncidentFormKeys are the form's bindings.
type IncidentFormKeys struct {
	Next, Prev, Severity, Submit, Cancel key.Binding
}

func DefaultIncidentFormKeys() IncidentFormKeys {
	return IncidentFormKeys{
		Next:     key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")),
		Prev:     key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field")),
		Severity: key.NewBinding(key.WithKeys("1", "2", "3", "left", "right"), key.WithHelp("1-3/←→", "severity (on its field)")),
		Submit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the incident")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

type incidentOpenedMsg struct {
	owner *IncidentForm
	inc   oncall.Incident
	err   error
}

// NewIncidentForm is a blank form (severity 2).
func NewIncidentForm(ctx *Context, opened func(oncall.Incident) tea.Cmd) *IncidentForm {
	f := &IncidentForm{ctx: ctx, keys: DefaultIncidentFormKeys(), sev: 2, Opened: opened}
	f.title = textinput.New()
	f.title.Prompt, f.title.CharLimit, f.title.Placeholder = "", 200, "what is wrong, in a few words"
	f.affects = textinput.New()
	f.affects.Prompt, f.affects.CharLimit, f.affects.Placeholder = "", 400, "job/garage site/lyon service/guichet node/paris-1"
	f.title.Focus()
	return f
}

// NewIncidentFormFor is the form prefilled from outage o: its title says
// what is wrong where, it affects o's subject, and its severity follows
// o's status (a site down is 1). Every field stays editable.
func NewIncidentFormFor(ctx *Context, o sources.Outage, opened func(oncall.Incident) tea.Cmd) *IncidentForm {
	f := NewIncidentForm(ctx, opened)
	title := o.Kind + " " + o.Name + " " + o.Status
	if o.Site != "" && o.Kind != "site" {
		title += " in " + o.Site
	}
	f.title.SetValue(sanitize.Line(title))
	f.title.CursorEnd()
	f.affects.SetValue(sanitize.Line(o.Kind + "/" + o.Name))
	switch o.Status {
	case "down":
		if o.Kind == "site" {
			f.sev = 1
		}
	case "degraded", "warning":
		f.sev = 3
	}
	f.from = "prefilled from the outage: " + sanitize.Line(o.Kind+" "+o.Name+" "+o.Status)
	return f
}

func (f *IncidentForm) Title() string   { return "new incident" }
func (f *IncidentForm) Capturing() bool { return true }
func (f *IncidentForm) Init() tea.Cmd   { return textinput.Blink }

func (f *IncidentForm) ShortHelp() []key.Binding {
	return []key.Binding{f.keys.Next, f.keys.Severity, f.keys.Submit, f.keys.Cancel}
}

func (f *IncidentForm) FullHelp() [][]key.Binding {
	return [][]key.Binding{{f.keys.Next, f.keys.Prev, f.keys.Severity, f.keys.Submit, f.keys.Cancel}}
}

var targetForm = regexp.MustCompile(`^(job|service|site|node)/\S+$`)

// parseAffects splits what the member typed (spaces or commas) and checks
// each target's form before the store does, to say which one is wrong.
func parseAffects(text string) ([]string, error) {
	var out []string
	for _, t := range strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == ',' }) {
		if !targetForm.MatchString(t) {
			return nil, fmt.Errorf("affects %q: write job/NAME, service/NAME, site/NAME or node/NAME", sanitize.Line(t))
		}
		out = append(out, t)
	}
	return out, nil
}

func (f *IncidentForm) setFocus(i int) {
	f.focus = (i + 3) % 3
	f.title.Blur()
	f.affects.Blur()
	switch f.focus {
	case 0:
		f.title.Focus()
	case 2:
		f.affects.Focus()
	}
}

func (f *IncidentForm) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case incidentOpenedMsg:
		if msg.owner != f {
			return f, nil
		}
		f.busy = false
		if msg.err != nil {
			f.err = "not opened: " + msg.err.Error()
			return f, nil
		}
		var next tea.Cmd
		if f.Opened != nil {
			next = f.Opened(msg.inc)
		}
		return f, tea.Sequence(Pop(), next)
	case tea.PasteMsg:
		return f, f.updateField(msg)
	case tea.KeyPressMsg:
		if f.busy {
			return f, nil
		}
		switch {
		case key.Matches(msg, f.keys.Cancel):
			return f, Pop()
		case key.Matches(msg, f.keys.Submit):
			return f, f.submit()
		case key.Matches(msg, f.keys.Next):
			f.setFocus(f.focus + 1)
			return f, nil
		case key.Matches(msg, f.keys.Prev):
			f.setFocus(f.focus - 1)
			return f, nil
		case f.focus == 1 && key.Matches(msg, f.keys.Severity):
			switch s := msg.String(); s {
			case "left":
				f.sev = max(f.sev-1, 1)
			case "right":
				f.sev = min(f.sev+1, 3)
			default:
				f.sev = int(s[0] - '0')
			}
			return f, nil
		}
		f.err = ""
		return f, f.updateField(msg)
	}
	return f, nil
}

func (f *IncidentForm) updateField(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch f.focus {
	case 0:
		f.title, cmd = f.title.Update(msg)
	case 2:
		f.affects, cmd = f.affects.Update(msg)
	}
	return cmd
}

// submit checks the form, then writes the incident off the event loop.
func (f *IncidentForm) submit() tea.Cmd {
	title := strings.TrimSpace(f.title.Value())
	affects, err := parseAffects(f.affects.Value())
	switch {
	case title == "":
		f.err, f.focus = "a title is needed: what is wrong, in a few words", 0
		f.setFocus(0)
		return nil
	case err != nil:
		f.err = err.Error()
		f.setFocus(2)
		return nil
	case f.ctx.Me.Handle == "":
		why := "no member is mapped to your OS user"
		if f.ctx.MeErr != nil {
			why = f.ctx.MeErr.Error()
		}
		f.err = "cannot open an incident: " + why
		return nil
	case f.ctx.Store == nil:
		f.err = "no database"
		return nil
	}
	f.busy = true
	st, by, owner := f.ctx.Store, f.ctx.Me.Handle, f
	n := oncall.NewIncident{Title: title, Severity: f.sev, Affects: affects}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		in, err := st.OpenIncident(ctx, by, n)
		return incidentOpenedMsg{owner: owner, inc: in, err: err}
	}
}

func (f *IncidentForm) View() string {
	st := f.ctx.Styles
	label := func(i int, s string) string {
		if f.focus == i {
			return st.Key.Render("› " + s)
		}
		return st.Muted.Render("  " + s)
	}
	var sev []string
	for i := 1; i <= 3; i++ {
		word := fmt.Sprintf("sev%d", i)
		if i == f.sev {
			sev = append(sev, st.Severity[i].Render("["+word+"]"))
		} else {
			sev = append(sev, st.Muted.Render(" "+word+" "))
		}
	}
	var b strings.Builder
	b.WriteString(st.Section.Render("Open an incident") + "\n")
	if f.from != "" {
		b.WriteString(st.Muted.Render(f.from) + "\n")
	}
	b.WriteString("\n")
	b.WriteString(label(0, "title    ") + " " + f.title.View() + "\n")
	b.WriteString(label(1, "severity ") + " " + strings.Join(sev, " ") + st.Muted.Render("   1 worst · 3 least") + "\n")
	b.WriteString(label(2, "affects  ") + " " + f.affects.View() + "\n\n")
	switch {
	case f.err != "":
		b.WriteString(st.Crit.Render(sanitize.Line(f.err)) + "\n")
	case f.busy:
		b.WriteString(st.Muted.Render("opening…") + "\n")
	}
	b.WriteString(st.Muted.Render("tab: next field · 1-3: severity · enter: open · esc: cancel"))
	return b.String()
}
