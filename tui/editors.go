package tui

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/views/common"
)

// The two line editors of the breadcrumb line: `/` filters the screen on
// top as you type, `:` runs a command on enter.

func (m *Model) setFilter(q string) tea.Cmd {
	e := m.topEntry()
	e.filter = q
	if f, ok := e.screen.(common.Filterable); ok {
		f.SetFilter(q)
	}
	if r, ok := e.screen.(common.Refiltered); ok {
		return r.Refiltered()
	}
	return nil
}

// filterKey edits the live filter: each keystroke narrows the list.
func (m *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.mode = modeNormal
		return m.setFilter("")
	case "enter":
		m.mode = modeNormal
		return nil
	case "up", "down", "pgup", "pgdown":
		return m.updateTop(msg)
	case "backspace":
		m.input = dropLastRune(m.input)
	case "ctrl+u":
		m.input = ""
	default:
		if msg.Text == "" {
			return nil
		}
		m.input += msg.Text
	}
	return m.setFilter(m.input)
}

func (m *Model) commandKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.mode = modeNormal
	case "enter":
		m.mode = modeNormal
		return m.run(m.input)
	case "backspace":
		if m.input == "" {
			m.mode = modeNormal
		}
		m.input = dropLastRune(m.input)
	default:
		m.input += msg.Text
	}
	return nil
}

func dropLastRune(s string) string {
	_, n := utf8.DecodeLastRuneInString(s)
	return s[:len(s)-n]
}

// run executes a `:` command: a screen title, `site <name>` or `q`.
func (m *Model) run(line string) tea.Cmd {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil
	}
	switch cmd := strings.ToLower(fields[0]); cmd {
	case "q", "quit":
		return tea.Quit
	case "site":
		site := ""
		if len(fields) > 1 && fields[1] != "all" && fields[1] != "*" {
			site = fields[1]
		}
		if site != "" && !m.knownSite(site) {
			m.notice = fmt.Sprintf("unknown site %q (%s)", site, strings.Join(m.siteNames(), ", "))
			return nil
		}
		m.ctx.Site = site
		return m.broadcast(common.SiteMsg{Site: site})
	default:
		if !m.jump(cmd) {
			m.notice = fmt.Sprintf("unknown command %q (try :nodes, :jobs, :services, :site lyon, :q)", cmd)
		}
	}
	return nil
}

func (m *Model) siteNames() []string {
	var names []string
	if m.snap != nil {
		for _, s := range m.snap.Sites {
			names = append(names, s.Name)
		}
	}
	return names
}

func (m *Model) knownSite(site string) bool { return slices.Contains(m.siteNames(), site) }
