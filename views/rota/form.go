package rota

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/views/theme"
)

// field is one labelled input; check validates its text as it is typed
// (the message shows under it), the store validates again on submit.
type field struct {
	label   string
	in      textinput.Model
	choices []string // when set, Choose cycles through them (typing still works)
}

// form is a small stack of text inputs with a title. submit turns the
// values into a command writing to the store; its result comes back as a
// formDoneMsg. While a form is open the screen captures every key.
type form struct {
	title  string
	info   []string // shown under the title, e.g. what the form acts on
	fields []field
	focus  int
	err    string // from submit (the store's refusal), shown under the form
	busy   bool
	tried  bool // a submit was attempted: show "required" on empty fields too
	submit func(vals []string) tea.Cmd
}

// formDoneMsg reports a submitted form: err nil closes it with ok shown.
type formDoneMsg struct {
	ok  string
	err error
}

func newField(label, value, placeholder string, check func(string) error) field {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = placeholder
	in.CharLimit = 400
	in.SetValue(value)
	in.Validate = check
	if check != nil && value != "" {
		in.Err = check(value)
	}
	return field{label: label, in: in}
}

// choose moves the field to the next (or previous) of its choices.
func (fl *field) choose(back bool) {
	cur, n := -1, len(fl.choices)
	for i, c := range fl.choices {
		if c == strings.TrimSpace(fl.in.Value()) {
			cur = i
		}
	}
	next := (cur + 1) % n
	if back {
		next = (cur - 1 + n) % n
		if cur < 0 {
			next = n - 1
		}
	}
	fl.in.SetValue(fl.choices[next])
	if fl.in.Validate != nil {
		fl.in.Err = fl.in.Validate(fl.choices[next])
	}
}

func (f *form) values() []string {
	out := make([]string, len(f.fields))
	for i := range f.fields {
		out[i] = strings.TrimSpace(f.fields[i].in.Value())
	}
	return out
}

func (f *form) setFocus(i int) tea.Cmd {
	f.fields[f.focus].in.Blur()
	f.focus = (i + len(f.fields)) % len(f.fields)
	return f.fields[f.focus].in.Focus()
}

// update handles a key; close is true when the form is done with (esc).
func (f *form) update(msg tea.Msg, keys FormKeys) (cmd tea.Cmd, close bool) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		var c tea.Cmd
		f.fields[f.focus].in, c = f.fields[f.focus].in.Update(msg)
		return c, false
	}
	switch {
	case key.Matches(km, keys.Cancel):
		return nil, true
	case key.Matches(km, keys.Next):
		return f.setFocus(f.focus + 1), false
	case key.Matches(km, keys.Prev):
		return f.setFocus(f.focus - 1), false
	case key.Matches(km, keys.Submit) || (key.Matches(km, keys.Enter) && f.focus == len(f.fields)-1):
		if f.busy {
			return nil, false
		}
		f.tried = true
		for i := range f.fields {
			fl := &f.fields[i]
			if fl.in.Validate != nil {
				fl.in.Err = fl.in.Validate(strings.TrimSpace(fl.in.Value()))
			}
			if fl.in.Err != nil {
				f.err = ""
				return f.setFocus(i), false
			}
		}
		f.busy, f.err = true, ""
		return f.submit(f.values()), false
	case key.Matches(km, keys.Enter):
		return f.setFocus(f.focus + 1), false
	case len(f.fields[f.focus].choices) > 0 && key.Matches(km, keys.Choose):
		f.fields[f.focus].choose(km.String() == "left")
		return nil, false
	}
	var c tea.Cmd
	f.fields[f.focus].in, c = f.fields[f.focus].in.Update(msg)
	return c, false
}

func (f *form) view(st *theme.Styles, width int) string {
	var b strings.Builder
	b.WriteString(st.Section.Render(f.title) + "\n")
	for _, l := range f.info {
		b.WriteString(st.Muted.Render(sanitize.Line(l)) + "\n")
	}
	w := max(width-20, 20)
	for i := range f.fields {
		fl := &f.fields[i]
		fl.in.SetWidth(w)
		label := st.Muted.Render(padRight(fl.label, 14))
		if i == f.focus {
			label = st.Key.Render(padRight("› "+fl.label, 14))
		}
		b.WriteString(label + " " + fl.in.View() + "\n")
		if fl.in.Err != nil && (fl.in.Value() != "" || f.tried) {
			b.WriteString(strings.Repeat(" ", 15) + st.Warn.Render(sanitize.Line(fl.in.Err.Error())) + "\n")
		}
	}
	switch {
	case f.busy:
		b.WriteString(st.Muted.Render("saving…") + "\n")
	case f.err != "":
		b.WriteString(st.Crit.Render("refused: ") + sanitize.Line(f.err) + "\n")
	}
	b.WriteString(st.Muted.Render("enter next/submit · tab/shift+tab move · ctrl+s submit · esc cancel"))
	return b.String()
}

func padRight(s string, n int) string {
	if len([]rune(s)) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len([]rune(s)))
}
