package rota

import (
	"charm.land/bubbles/v2/key"

	"codeberg.org/entretien/entretien/views/common"
)

// KeyMap is the rota screen's own bindings; the root adds the global ones.
type KeyMap struct {
	common.NavKeys             // j/k scroll the schedule
	Swap, Override, Note       key.Binding
	Leave, Withdraw            key.Binding
	Availability               key.Binding
	PrevProposal, NextProposal key.Binding
	Accept, Decline            key.Binding
	AddContact, RemoveContact  key.Binding
	PrevContact, NextContact   key.Binding
	Form                       FormKeys
}

// FormKeys drive an open form (the screen captures every key then).
type FormKeys struct {
	Next, Prev, Enter, Submit, Cancel key.Binding
	Choose                            key.Binding // cycles a field that has choices
}

func DefaultKeyMap() KeyMap {
	nav := common.DefaultNavKeys()
	nav.Up.SetHelp("↑/k", "scroll up")
	nav.Down.SetHelp("↓/j", "scroll down")
	return KeyMap{
		NavKeys:       nav,
		Swap:          key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "propose a swap")),
		Override:      key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "add an override")),
		Note:          key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "handoff note")),
		Leave:         key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "mark leave")),
		Withdraw:      key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "withdraw leave")),
		Availability:  key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "when you can be reached")),
		PrevProposal:  key.NewBinding(key.WithKeys("["), key.WithHelp("[/]", "select proposal")),
		NextProposal:  key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next proposal")),
		Accept:        key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "accept proposal")),
		Decline:       key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "decline proposal")),
		AddContact:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "add a contact method")),
		RemoveContact: key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "remove the selected contact (y confirms)")),
		PrevContact:   key.NewBinding(key.WithKeys("<"), key.WithHelp("</>", "select contact")),
		NextContact:   key.NewBinding(key.WithKeys(">"), key.WithHelp(">", "next contact")),
		Form: FormKeys{
			Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")),
			Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field")),
			Enter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next field / submit")),
			Submit: key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "submit")),
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
			Choose: key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←/→", "pick (on a choice field)")),
		},
	}
}

func (m *Model) ShortHelp() []key.Binding {
	if m.form != nil {
		f := m.keys.Form
		return []key.Binding{f.Enter, f.Next, f.Submit, f.Cancel}
	}
	return []key.Binding{m.keys.Swap, m.keys.Override, m.keys.Note, m.keys.Leave, m.keys.Accept}
}

func (m *Model) FullHelp() [][]key.Binding {
	f := m.keys.Form
	return [][]key.Binding{
		{m.keys.Up, m.keys.Down},
		{m.keys.Swap, m.keys.Override, m.keys.Note, m.keys.Leave, m.keys.Withdraw, m.keys.Availability},
		{m.keys.PrevProposal, m.keys.Accept, m.keys.Decline},
		{m.keys.AddContact, m.keys.RemoveContact, m.keys.PrevContact},
		{f.Enter, f.Next, f.Prev, f.Submit, f.Cancel, f.Choose},
	}
}
