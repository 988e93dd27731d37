package care

import (
	"charm.land/bubbles/v2/key"

	"codeberg.org/entretien/entretien/views/common"
)

// KeyMap embeds the shared navigation keys, relabelled for the table;
// backspace also leaves a figure's facts.
type KeyMap struct {
	common.NavKeys
	Left, Right, Window key.Binding
}

func DefaultKeyMap() KeyMap {
	nav := common.DefaultNavKeys()
	nav.Up.SetHelp("↑/k", "member up")
	nav.Down.SetHelp("↓/j", "member down")
	nav.Open.SetHelp("enter", "facts of this figure")
	nav.Back = key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back to the table"))
	return KeyMap{
		NavKeys: nav,
		Left:    key.NewBinding(key.WithKeys("h", "left"), key.WithHelp("←/h", "previous figure")),
		Right:   key.NewBinding(key.WithKeys("l", "right"), key.WithHelp("→/l", "next figure")),
		Window:  key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "window 30/90/365 days")),
	}
}
