package incidents

import "charm.land/bubbles/v2/key"

// KeyMap holds the journal's bindings; which apply depends on the sub-screen
// (list, one incident, its retro).
type KeyMap struct {
	Up, Down, Top, Bottom, Open, Back key.Binding
	Write, Post, Kind, Cancel         key.Binding
	Ack, Mitigate, Resolve, Review    key.Binding
	Lead, TakeOver, Scribe, Helper    key.Binding
	Retro                             key.Binding
}

func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Write:    key.NewBinding(key.WithKeys("i", "n"), key.WithHelp("i", "write an entry")),
		Post:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "post")),
		Kind:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "entry kind")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave the box (text kept)")),
		Ack:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "acknowledge")),
		Mitigate: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "mitigated")),
		Resolve:  key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "resolved")),
		Review:   key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "reviewed")),
		Lead:     key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "take/leave lead")),
		TakeOver: key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "take lead over")),
		Scribe:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "take/leave scribe")),
		Helper:   key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "take/leave helper")),
		Retro:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retro")),
	}
}
