package rota

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

var contactMethods = []string{oncall.MethodEmail, oncall.MethodWebhook, oncall.MethodCommand}

// contactTarget is what the screen shows of a target: others may be
// looking at the terminal, so a webhook loses its userinfo and query
// (where ntfy and others put tokens) and a command shows its program only.
func contactTarget(c oncall.Contact) string {
	switch c.Method {
	case oncall.MethodWebhook:
		u, err := url.Parse(c.Target)
		if err != nil {
			return "(unreadable URL)"
		}
		hidden := u.User != nil || u.RawQuery != "" || u.Fragment != ""
		u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
		s := u.String()
		if hidden {
			s += " (credentials hidden)"
		}
		return s
	case oncall.MethodCommand:
		if f := strings.Fields(c.Target); len(f) > 0 {
			return filepath.Base(f[0])
		}
		return ""
	}
	return c.Target
}

func contactLine(c oncall.Contact) string {
	s := fmt.Sprintf("%d. %-8s %s", c.Position, c.Method, contactTarget(c))
	if c.Preset != "" {
		s += " (" + c.Preset + ")"
	}
	return s
}

// contactLines lists my contact methods in the order paging tries them.
func (m *Model) contactLines() []string {
	st := m.ctx.Styles
	if m.ctx.Me.Handle == "" {
		return nil
	}
	lines := []string{st.Section.Render("Contacts") + st.Muted.Render("  how you are paged, in order · c add · C remove · < > select")}
	if len(m.data.contacts) == 0 {
		lines = append(lines, "  "+st.Warn.Render("none: paging cannot reach you (c adds one)"))
	}
	for i, c := range m.data.contacts {
		text := sanitize.Line(contactLine(c))
		if i == m.csel {
			lines = append(lines, st.Key.Render("› ")+st.Cursor.Render(text))
		} else {
			lines = append(lines, "  "+text)
		}
	}
	return append(lines, "")
}

// contactForm adds a method after my others; the store validates it as
// the CLI's member contact add does, and its refusal shows in the form.
func (m *Model) contactForm() *form {
	f := &form{title: "Add a contact method: tried after your others until one delivers"}
	f.info = []string{"method ←/→ or space to pick · email name@example.org · webhook https://… · command /absolute/path"}
	method := newField("method", oncall.MethodEmail, "email, webhook or command", func(s string) error {
		for _, c := range contactMethods {
			if s == c {
				return nil
			}
		}
		return fmt.Errorf("method %q: want email, webhook or command", s)
	})
	method.choices = contactMethods
	preset := newField("preset", "", "webhooks only: json (default) or ntfy", nil)
	preset.choices = []string{"", "json", "ntfy"}
	f.fields = []field{method, newField("target", "", "address, URL or program", required("target")), preset}
	f.submit = func(v []string) tea.Cmd {
		return m.write(func(ctx context.Context, st *oncall.Store, me string) (string, error) {
			c, err := st.AddContact(ctx, me, oncall.Contact{Method: v[0], Target: v[1], Preset: v[2]})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("contact %s added", contactLine(c)), nil
		})
	}
	return f
}

// askRemove asks to remove the selected contact; only y confirms.
func (m *Model) askRemove() {
	if m.ctx.Me.Handle == "" || len(m.data.contacts) == 0 {
		m.flash, m.flashErr = "no contact method of yours to remove", true
		return
	}
	c := m.data.contacts[m.csel]
	m.flash, m.confirm = "", &c
}

func (m *Model) confirmKey(km tea.KeyPressMsg) tea.Cmd {
	c := *m.confirm
	m.confirm = nil
	if km.String() != "y" {
		m.flash, m.flashErr = "kept contact "+contactLine(c), false
		return nil
	}
	st, me := m.ctx.Store, m.ctx.Me.Handle
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := st.RemoveContact(ctx, me, c.ID); err != nil {
			return actionDoneMsg{text: err.Error(), err: true}
		}
		return actionDoneMsg{text: "removed contact " + contactLine(c)}
	}
}

func (m *Model) confirmView() string {
	st := m.ctx.Styles
	return st.Section.Render("Remove a contact method") + "\n" +
		sanitize.Line(contactLine(*m.confirm)) + "\n" +
		st.Warn.Render("remove it? y removes, any other key keeps it")
}
