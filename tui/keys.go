package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"

	"codeberg.org/entretien/entretien/views/common"
)

// KeyMap holds the global bindings; each screen adds its own.
type KeyMap struct {
	Quit, Help, Next, Prev, Jump, Back, Filter, Command key.Binding
}

func DefaultKeyMap() KeyMap {
	// esc and / are the screens' shared navigation keys; the root acts on them.
	nav := common.DefaultNavKeys()
	nav.Back.SetHelp("esc", "back / clear filter")
	return KeyMap{
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Next:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		Prev:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
		Jump:    key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9", "0"), key.WithHelp("1-9 0", "go to screen (0: the tenth)")),
		Back:    nav.Back,
		Filter:  nav.Filter,
		Command: key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command: :nodes :site lyon :q")),
	}
}

// helpKeys joins the active screen's bindings with the global ones, so `?`
// shows everything that works right now (soft-serve's UI.FullHelp).
type helpKeys struct {
	screen help.KeyMap
	global KeyMap
}

func (h helpKeys) ShortHelp() []key.Binding {
	return append(h.screen.ShortHelp(), h.global.Back, h.global.Filter, h.global.Help, h.global.Quit)
}

func (h helpKeys) FullHelp() [][]key.Binding {
	g := h.global
	return append(h.screen.FullHelp(),
		[]key.Binding{g.Back, g.Filter, g.Command, g.Next, g.Prev, g.Jump, g.Help, g.Quit})
}
