package care

import "charm.land/bubbles/v2/key"

type KeyMap struct {
	Up, Down, Left, Right, Window, Open, Back key.Binding
}

func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:     key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "member up")),
		Down:   key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "member down")),
		Left:   key.NewBinding(key.WithKeys("h", "left"), key.WithHelp("←/h", "previous figure")),
		Right:  key.NewBinding(key.WithKeys("l", "right"), key.WithHelp("→/l", "next figure")),
		Window: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "window 30/90/365 days")),
		Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "facts of this figure")),
		Back:   key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back to the table")),
	}
}
