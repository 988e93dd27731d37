package incidents

import (
	"charm.land/bubbles/v2/key"

	"codeberg.org/entretien/entretien/views/common"
)

// KeyMap holds the journal's bindings: the shared navigation keys, the
// entry box's and the incident's own.
type KeyMap struct {
	common.NavKeys
	Write, Post, Kind, Cancel      key.Binding
	Ack, Mitigate, Resolve, Review key.Binding
	Lead, TakeOver, Scribe, Helper key.Binding
	Retro, New                     key.Binding
}

func DefaultKeyMap() KeyMap {
	return KeyMap{
		NavKeys:  common.DefaultNavKeys(),
		Write:    key.NewBinding(key.WithKeys("i", "n"), key.WithHelp("i", "write an entry")),
		Post:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "post")),
		Kind:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "entry kind")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave box, keep text")),
		Ack:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "acknowledge")),
		Mitigate: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "mitigated")),
		Resolve:  key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "resolved")),
		Review:   key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "reviewed")),
		Lead:     key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "take/leave lead")),
		TakeOver: key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "take lead over")),
		Scribe:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "take/leave scribe")),
		Helper:   key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "take/leave helper")),
		Retro:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retro")),
		New:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "open a new incident")),
	}
}
