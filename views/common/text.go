package common

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
)

// TextScreen shows a block of text (a check's output) with scrolling.
type TextScreen struct {
	Ctx    *Context
	Name   string
	lines  []string
	scroll int
	keys   NavKeys
}

// NewTextScreen sanitises text (from the cluster) once.
func NewTextScreen(ctx *Context, name, text string) *TextScreen {
	return &TextScreen{Ctx: ctx, Name: name, lines: strings.Split(sanitize.Text(text), "\n"), keys: DefaultNavKeys()}
}

func (s *TextScreen) Title() string   { return s.Name }
func (s *TextScreen) Capturing() bool { return false }
func (s *TextScreen) Init() tea.Cmd   { return nil }

func (s *TextScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	page := max(s.Ctx.Height-1, 1)
	last := max(len(s.lines)-s.Ctx.Height, 0)
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		if msg.Mouse().Button == tea.MouseWheelUp {
			s.scroll -= 3
		} else if msg.Mouse().Button == tea.MouseWheelDown {
			s.scroll += 3
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, s.keys.Up):
			s.scroll--
		case key.Matches(msg, s.keys.Down):
			s.scroll++
		case key.Matches(msg, s.keys.PageUp):
			s.scroll -= page
		case key.Matches(msg, s.keys.PageDown):
			s.scroll += page
		case key.Matches(msg, s.keys.Top):
			s.scroll = 0
		case key.Matches(msg, s.keys.Bottom):
			s.scroll = last
		}
	}
	s.scroll = max(min(s.scroll, last), 0)
	return s, nil
}

func (s *TextScreen) View() string {
	end := min(s.scroll+s.Ctx.Height, len(s.lines))
	return strings.Join(s.lines[s.scroll:end], "\n")
}

func (s *TextScreen) ShortHelp() []key.Binding { return []key.Binding{s.keys.Up, s.keys.Down} }
func (s *TextScreen) FullHelp() [][]key.Binding {
	return [][]key.Binding{s.keys.Moves()}
}
