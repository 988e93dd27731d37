package decisions

import (
	"charm.land/bubbles/v2/key"

	"codeberg.org/entretien/entretien/views/common"
)

// ListKeys are the decisions tab's bindings.
type ListKeys struct {
	common.NavKeys
	New key.Binding
}

func DefaultListKeys() ListKeys {
	return ListKeys{
		NavKeys: common.DefaultNavKeys(),
		New:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new proposal")),
	}
}

// KeyMap is the proposal screen's: positions, implications, amendments,
// withdrawal and the outcome, each through the box at the bottom.
type KeyMap struct {
	common.NavKeys
	Consent, Concern, Objection, Abstain key.Binding
	Imply, Amend, Withdraw, Close        key.Binding
	Outcome, Post, Cancel                key.Binding
}

func DefaultKeyMap() KeyMap {
	return KeyMap{
		NavKeys:   common.DefaultNavKeys(),
		Consent:   key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "consent")),
		Concern:   key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "concern (no block)")),
		Objection: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "objection (say why)")),
		Abstain:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "abstain")),
		Imply:     key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "implication")),
		Amend:     key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "amend (author)")),
		Withdraw:  key.NewBinding(key.WithKeys("W"), key.WithHelp("W", "withdraw (author)")),
		Close:     key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "outcome")),
		Outcome:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next outcome")),
		Post:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "post")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel (kept)")),
	}
}

// FormKeys are the new proposal form's.
type FormKeys struct {
	Next, Prev, Submit, Cancel key.Binding
}

func DefaultFormKeys() FormKeys {
	return FormKeys{
		Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field")),
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the proposal")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}
