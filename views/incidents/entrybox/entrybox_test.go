package entrybox

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func typeText(m Model, s string) Model {
	for _, r := range s {
		m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

func keyPress(m Model, code rune) Model {
	m, _ = m.Update(tea.KeyPressMsg{Code: code})
	return m
}

func TestEditingAndLimit(t *testing.T) {
	m := New()
	if m = typeText(m, "ignored"); m.Value() != "" {
		t.Fatalf("unfocused box took input: %q", m.Value())
	}
	m.Focus()
	m = typeText(m, "disk fuul")
	m = keyPress(m, tea.KeyBackspace)
	m = keyPress(m, tea.KeyBackspace)
	m = typeText(m, "ll")
	m = keyPress(m, tea.KeyHome)
	m = typeText(m, "é ")
	if m.Value() != "é disk full" {
		t.Fatalf("value %q", m.Value())
	}
	// Pastes are kept as typed (escapes, newlines); the view is sanitised.
	m, _ = m.Update(tea.PasteMsg{Content: "\x1b]0;pwned\x07\nx"})
	if !strings.Contains(m.Value(), "\x1b]0;pwned\x07\nx") {
		t.Fatalf("paste not kept as typed: %q", m.Value())
	}
	v := m.View()
	if strings.Contains(v, "\x1b]") || strings.Contains(v, "\x07") || strings.Contains(v, "\n") {
		t.Fatalf("view not sanitised: %q", v)
	}
	// The byte limit cuts at a rune boundary and says so.
	m.Reset()
	m.Limit = 5
	m = typeText(m, "ééé")
	if m.Value() != "éé" || !m.Clipped {
		t.Fatalf("limit: %q clipped=%v", m.Value(), m.Clipped)
	}
	m.Reset()
	if m.Clipped || m.Value() != "" {
		t.Fatal("Reset kept state")
	}
	// A long value scrolls to keep the cursor in the width.
	m.Limit = 0
	m.SetWidth(20)
	m = typeText(m, strings.Repeat("abcdefghij", 5)+"END")
	if w := ansi.StringWidth(m.View()); w > 21 || !strings.Contains(ansi.Strip(m.View()), "END") {
		t.Fatalf("scrolled view %q (width %d)", ansi.Strip(m.View()), w)
	}
}
