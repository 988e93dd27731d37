package common

import "charm.land/bubbles/v2/key"

// NavKeys are the navigation bindings every screen shares, defined once
// here: each screen's KeyMap embeds them, so j/k, g/G, paging, enter, esc
// and / mean the same everywhere and every `?` help lists them alike.
// esc and / are acted on by the root (pop, clear or type the filter).
type NavKeys struct {
	Up, Down, Top, Bottom, PageUp, PageDown, Open, Back, Filter key.Binding
}

func DefaultNavKeys() NavKeys {
	return NavKeys{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
	}
}

// Moves are the movement bindings, for a screen's help (enter, esc and /
// are listed by the screen or the root with what they do there).
func (k NavKeys) Moves() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}
}

// OpenAs is enter labelled with what it opens ("open allocation").
func (k NavKeys) OpenAs(label string) key.Binding {
	b := k.Open
	b.SetHelp("enter", label)
	return b
}
