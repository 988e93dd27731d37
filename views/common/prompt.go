package common

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/views/theme"
)

// Pending is an action named and ready to run once the member confirms.
type Pending struct {
	// What is the prompt's words, naming the object and its site ("restart
	// allocation 3f2a… of garage on lyon"); the journal records them.
	What string
	// Touches are the objects as incidents name them (job/X, node/N,
	// site/S, service/X): the incidents in progress about one get the entry.
	Touches []string
	Act     Act
	// Suspend, instead of Act, hands the terminal over (exec); done turns
	// its outcome into the message the prompt records.
	Suspend func(done func(outcome string, err error) tea.Msg) tea.Cmd
}

// Prompt is the one line through which a screen acts on the cluster: it
// asks for a value when the action needs one (a drain deadline, a
// command), then for confirmation, where only y acts and any other key
// cancels; it runs the action off the event loop, records it in the
// journal and shows the outcome until the next key. While it asks it
// swallows every key (the screen's Capturing says so). It also keeps what
// the member's token may do, as Nomad answered (Permission).
type Prompt struct {
	ctx *Context

	asking, confirming bool
	label              string
	input              textinput.Model
	then               func(string) (Pending, error)
	inputErr           string
	pending            Pending

	running bool
	result  string
	bad     bool

	perms map[permKey]perm
}

type permKey struct {
	kind ActionKind
	ns   string
}

type perm struct {
	asked, known, allowed bool
	reason                string
}

type (
	permMsg struct {
		owner   *Prompt
		key     permKey
		allowed bool
		reason  string
		err     error
	}
	// doneMsg: the cluster answered; recordedMsg: the journal has it.
	doneMsg struct {
		owner   *Prompt
		p       Pending
		outcome string
		err     error
	}
	recordedMsg struct {
		owner *Prompt
		text  string
		bad   bool
	}
)

// ActedMsg is sent to the screen whose prompt acted, once the action is
// recorded (the screen may read its object again).
type ActedMsg struct{ Owner *Prompt }

func NewPrompt(ctx *Context) *Prompt {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = 400
	return &Prompt{ctx: ctx, input: in, perms: map[permKey]perm{}}
}

// Open is true while the prompt asks: it owns every key.
func (p *Prompt) Open() bool { return p.asking || p.confirming }

// Result is the outcome shown ("" when none).
func (p *Prompt) Result() string { return p.result }

// Binding is b as the help shows it: absent when entretien is read-only
// (its key inert), marked when the member's token may not do kind in ns.
func (p *Prompt) Binding(b key.Binding, kind ActionKind, ns string) key.Binding {
	if !p.ctx.CanAct() {
		b.SetEnabled(false)
		return b
	}
	if kind != "" {
		if pm := p.perms[permKey{kind, ns}]; pm.known && !pm.allowed {
			h := b.Help()
			b.SetHelp(h.Key, h.Desc+" (not allowed)")
		}
	}
	return b
}

// Need asks Nomad, once, whether the token may do kind in ns.
func (p *Prompt) Need(kind ActionKind, ns string) tea.Cmd {
	k := permKey{kind, ns}
	if !p.ctx.CanAct() || p.perms[k].asked {
		return nil
	}
	p.perms[k] = perm{asked: true}
	actor, owner := p.ctx.Actor, p
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ok, reason, err := actor.Permission(ctx, kind, ns)
		return permMsg{owner: owner, key: k, allowed: ok, reason: reason, err: err}
	}
}

// refuse says why the member cannot act now, "" when they can.
func (p *Prompt) refuse(kind ActionKind, ns string) string {
	switch {
	case !p.ctx.CanAct():
		return "" // the key is inert: nothing to say
	case p.ctx.Me.Handle == "":
		why := "no member is mapped to your OS user"
		if p.ctx.MeErr != nil {
			why = p.ctx.MeErr.Error()
		}
		return "cannot act: every action is recorded under a member, and " + why
	case p.running:
		return "an action is still running"
	}
	if pm := p.perms[permKey{kind, ns}]; kind != "" && pm.known && !pm.allowed {
		return pm.reason
	}
	return ""
}

// Confirm asks "<what>? type y" for kind in ns; build makes the action
// (an error is shown instead, and nothing is asked).
func (p *Prompt) Confirm(kind ActionKind, ns string, build func() (Pending, error)) tea.Cmd {
	if !p.ctx.CanAct() {
		return nil
	}
	if why := p.refuse(kind, ns); why != "" {
		p.show(why, true)
		return p.Need(kind, ns)
	}
	pd, err := build()
	if err != nil {
		p.show(err.Error(), true)
		return nil
	}
	p.pending, p.confirming = pd, true
	p.result = ""
	return nil
}

// Ask first reads a value (label, prefilled with initial); then turns it
// into the action to confirm, or refuses it with a reason and asks again.
func (p *Prompt) Ask(kind ActionKind, ns, label, initial string, then func(string) (Pending, error)) tea.Cmd {
	if !p.ctx.CanAct() {
		return nil
	}
	if why := p.refuse(kind, ns); why != "" {
		p.show(why, true)
		return p.Need(kind, ns)
	}
	p.asking, p.label, p.then, p.inputErr, p.result = true, label, then, "", ""
	p.input.SetValue(initial)
	p.input.CursorEnd()
	return p.input.Focus()
}

func (p *Prompt) show(text string, bad bool) { p.result, p.bad = sanitize.Line(text), bad }

func (p *Prompt) close() {
	p.asking, p.confirming = false, false
	p.input.Blur()
}

// Key handles a key press while the prompt is open; otherwise it clears
// the last outcome and reports false (the screen handles the key).
func (p *Prompt) Key(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch {
	case p.confirming:
		p.close()
		if msg.String() != "y" {
			p.show("cancelled: "+p.pending.What, false)
			return true, nil
		}
		return true, p.run(p.pending)
	case p.asking:
		switch msg.String() {
		case "esc":
			p.close()
			p.show("cancelled", false)
			return true, nil
		case "enter":
			pd, err := p.then(strings.TrimSpace(p.input.Value()))
			if err != nil {
				p.inputErr = err.Error()
				return true, nil
			}
			p.asking, p.pending, p.confirming = false, pd, true
			p.input.Blur()
			return true, nil
		}
		p.inputErr = ""
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		return true, cmd
	}
	if !p.running {
		p.result = ""
	}
	return false, nil
}

// run acts off the event loop.
func (p *Prompt) run(pd Pending) tea.Cmd {
	p.running = true
	p.show(pd.What+"…", false)
	owner := p
	done := func(outcome string, err error) tea.Msg {
		return doneMsg{owner: owner, p: pd, outcome: outcome, err: err}
	}
	if pd.Suspend != nil {
		return pd.Suspend(done)
	}
	actor := p.ctx.Actor
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		res, err := actor.Act(ctx, pd.Act)
		return done(Outcome(res), err)
	}
}

// Outcome is Nomad's answer in words, with the whole evaluation id (the
// journal keeps it; the screen shows it short).
func Outcome(r ActResult) string {
	out := r.Message
	if out == "" {
		out = "accepted"
	}
	if r.EvalID != "" {
		out += ", evaluation " + r.EvalID
	}
	return out
}

// Update takes the prompt's own messages; it reports false for others.
func (p *Prompt) Update(msg tea.Msg) (bool, tea.Cmd) {
	switch msg := msg.(type) {
	case permMsg:
		if msg.owner != p {
			return false, nil
		}
		if msg.err != nil {
			p.perms[msg.key] = perm{} // unknown: asked again next time
			return true, nil
		}
		p.perms[msg.key] = perm{asked: true, known: true, allowed: msg.allowed, reason: msg.reason}
		return true, nil
	case doneMsg:
		if msg.owner != p {
			return false, nil
		}
		var d *DeniedError
		if errors.As(msg.err, &d) {
			p.perms[permKey{d.Kind, d.Namespace}] = perm{asked: true, known: true, reason: d.Reason}
		}
		return true, p.record(msg)
	case recordedMsg:
		if msg.owner != p {
			return false, nil
		}
		p.running = false
		p.show(msg.text, msg.bad)
		owner := p
		return true, func() tea.Msg { return ActedMsg{Owner: owner} }
	}
	return false, nil
}

// record writes the action in the journal: an entry in every incident in
// progress it touches, else the action log; and says where.
func (p *Prompt) record(d doneMsg) tea.Cmd {
	st, by, owner := p.ctx.Store, p.ctx.Me.Handle, p
	return func() tea.Msg {
		shown := ShortEvals(d.outcome)
		if d.err != nil {
			shown = "failed: " + d.err.Error()
			var de *DeniedError
			if errors.As(d.err, &de) {
				shown = "refused: " + de.Reason
			}
		}
		text := d.p.What + ": " + shown
		if st == nil {
			return recordedMsg{owner: owner, text: text + " · not recorded (no database)", bad: true}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		outcome := d.outcome
		if d.err != nil {
			outcome = d.err.Error()
		}
		rec, err := st.RecordAction(ctx, oncall.ClusterAction{By: by, What: d.p.What, Touches: d.p.Touches, OK: d.err == nil, Outcome: outcome})
		switch {
		case err != nil:
			text += " · not recorded: " + err.Error()
			return recordedMsg{owner: owner, text: text, bad: true}
		case len(rec.Entries) > 0:
			var ids []string
			for _, id := range rec.Incidents() {
				ids = append(ids, "#"+itoa(id))
			}
			text += " · written in " + strings.Join(ids, ", ") + "'s timeline"
		default:
			text += " · written in the action log"
		}
		return recordedMsg{owner: owner, text: text, bad: d.err != nil}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// ShortEvals shortens the evaluation id in an outcome for the screen.
func ShortEvals(outcome string) string {
	const marker = "evaluation "
	i := strings.Index(outcome, marker)
	if i < 0 {
		return outcome
	}
	rest := outcome[i+len(marker):]
	id, tail, _ := strings.Cut(rest, " ")
	if tail != "" {
		tail = " " + tail
	}
	return outcome[:i+len(marker)] + ShortID(id) + tail
}

// View is the prompt's line ("" when it has nothing to say).
func (p *Prompt) View(st *theme.Styles, width int) string {
	var line string
	switch {
	case p.confirming:
		line = st.Warn.Render(sanitize.Line(p.pending.What)+"?") + " " + st.Key.Render("type y") + st.Muted.Render(" (any other key cancels)")
	case p.asking:
		line = st.Warn.Render(sanitize.Line(p.label)+": ") + p.input.View() + st.Muted.Render("  enter: next · esc: cancel")
		if p.inputErr != "" {
			line += "  " + st.Crit.Render(sanitize.Line(p.inputErr))
		}
	case p.result != "" && p.bad:
		line = st.Crit.Render(p.result)
	case p.result != "":
		line = st.Info.Render(p.result)
	default:
		return ""
	}
	// The outcome is wrapped, not cut: it says where it was written.
	if width <= 0 {
		return line
	}
	return ansi.Wrap(line, width, " ")
}
