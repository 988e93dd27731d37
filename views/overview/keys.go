package overview

import (
	"charm.land/bubbles/v2/key"

	"codeberg.org/entretien/entretien/views/common"
)

// KeyMap is the overview's own bindings (the shared navigation keys, and
// i); the root adds the global ones.
type KeyMap struct {
	common.NavKeys
	Incident key.Binding
}

func DefaultKeyMap() KeyMap {
	return KeyMap{
		NavKeys:  common.DefaultNavKeys(),
		Incident: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "open the site's incident")),
	}
}

func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Up, m.keys.Down, m.keys.Incident}
}

func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Up, m.keys.Down, m.keys.Top, m.keys.Bottom, m.keys.Incident}}
}
