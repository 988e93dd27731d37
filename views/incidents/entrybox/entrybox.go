// Package entrybox is the one-line text box of the journal and retro
// screens. It stands in for bubbles' textinput, which pulls a clipboard
// module this build does not carry; it needs only keys and paste.
//
// The value is kept exactly as typed (newlines from a paste included);
// View draws it sanitised, on one line, scrolled to keep the cursor seen.
package entrybox

import (
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/sanitize"
)

// Model is a focused-or-not single-line editor.
type Model struct {
	Prompt      string
	Placeholder string
	// Limit caps the value in bytes (0: none). Typing or pasting past it is
	// cut at the limit and Clipped says so, so nothing vanishes silently.
	Limit   int
	Clipped bool
	// Cursor draws the character under the cursor (reverse video: no
	// colour, so it reads the same on every theme).
	Cursor lipgloss.Style

	value   []rune
	pos     int
	focused bool
	width   int
}

func New() Model { return Model{Prompt: "> ", Cursor: lipgloss.NewStyle().Reverse(true)} }

func (m *Model) Focus()         { m.focused = true }
func (m *Model) Blur()          { m.focused = false }
func (m Model) Focused() bool   { return m.focused }
func (m Model) Value() string   { return string(m.value) }
func (m *Model) SetWidth(w int) { m.width = w }

// Reset empties the box (after a successful post).
func (m *Model) Reset() { m.value, m.pos, m.Clipped = nil, 0, false }

// SetValue replaces the text and puts the cursor at its end.
func (m *Model) SetValue(s string) {
	m.value, m.pos, m.Clipped = nil, 0, false
	m.insert(s)
}

func (m *Model) insert(s string) {
	if m.Limit > 0 {
		room := m.Limit - len(string(m.value))
		if len(s) > room {
			cut := max(room, 0)
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			s, m.Clipped = s[:cut], true
		}
	}
	rs := []rune(s)
	m.value = append(m.value[:m.pos], append(rs, m.value[m.pos:]...)...)
	m.pos += len(rs)
}

// Update edits the value for key presses and pastes while focused.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if !m.focused {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		m.insert(msg.Content)
	case tea.KeyPressMsg:
		switch msg.String() {
		case "backspace", "ctrl+h":
			if m.pos > 0 {
				m.value = append(m.value[:m.pos-1], m.value[m.pos:]...)
				m.pos--
			}
		case "delete", "ctrl+d":
			if m.pos < len(m.value) {
				m.value = append(m.value[:m.pos], m.value[m.pos+1:]...)
			}
		case "left", "ctrl+b":
			m.pos = max(m.pos-1, 0)
		case "right", "ctrl+f":
			m.pos = min(m.pos+1, len(m.value))
		case "home", "ctrl+a":
			m.pos = 0
		case "end", "ctrl+e":
			m.pos = len(m.value)
		case "ctrl+u":
			m.value, m.pos = m.value[m.pos:], 0
		case "ctrl+k":
			m.value = m.value[:m.pos]
		case "ctrl+w":
			i := m.pos
			for i > 0 && m.value[i-1] == ' ' {
				i--
			}
			for i > 0 && m.value[i-1] != ' ' {
				i--
			}
			m.value, m.pos = append(m.value[:i], m.value[m.pos:]...), i
		case "space":
			m.insert(" ")
		default:
			if msg.Text != "" {
				m.insert(msg.Text)
			}
		}
	}
	return m, nil
}

// View draws the prompt and the sanitised value with a block cursor,
// scrolled so the cursor stays inside width cells.
func (m Model) View() string {
	if len(m.value) == 0 && !m.focused {
		return m.Prompt + m.Placeholder
	}
	before := sanitize.Line(string(m.value[:m.pos]))
	after := sanitize.Line(string(m.value[m.pos:]))
	cursor := " "
	if after != "" {
		r, size := utf8.DecodeRuneInString(after)
		cursor, after = string(r), after[size:]
	}
	if !m.focused {
		return m.Prompt + before + cursor + after
	}
	if len(m.value) == 0 && m.Placeholder != "" {
		return m.Prompt + m.Cursor.Render(" ") + m.Placeholder
	}
	avail := m.width - ansi.StringWidth(m.Prompt) - 1
	if avail > 0 && ansi.StringWidth(before) > avail {
		// Keep the end of what precedes the cursor.
		before = "…" + ansi.TruncateLeft(before, ansi.StringWidth(before)-avail+1, "")
	}
	line := before + m.Cursor.Render(cursor) + after
	if avail > 0 {
		line = ansi.Truncate(line, avail+1, "…")
	}
	return m.Prompt + strings.TrimRight(line, "\n")
}
