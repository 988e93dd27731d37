package common

import tea "charm.land/bubbletea/v2"

// Navigation is asked for with messages, so screens never hold the root:
// a screen returns Push(next) to drill down and the root keeps the stack,
// draws the breadcrumbs and pops on esc.

// PushMsg opens Screen on top of the current one (drill down).
type PushMsg struct{ Screen Screen }

// PopMsg goes back one level (what esc does).
type PopMsg struct{}

// JumpMsg shows the top-level screen whose Title is Title (`:nodes`).
type JumpMsg struct{ Title string }

// SiteMsg is broadcast when the member narrows every list to one site
// (`:site lyon`); Site "" shows every site again.
type SiteMsg struct{ Site string }

// NoticeMsg is a short answer to a key that could not act ("no open
// incident about …"), shown on the breadcrumb line until the next key.
type NoticeMsg struct{ Text string }

func Notice(text string) tea.Cmd { return func() tea.Msg { return NoticeMsg{Text: text} } }

func Push(s Screen) tea.Cmd { return func() tea.Msg { return PushMsg{Screen: s} } }
func Pop() tea.Cmd          { return func() tea.Msg { return PopMsg{} } }

// Filterable screens take the root's live `/` query; "" clears it.
type Filterable interface {
	SetFilter(q string)
}

// Refiltered screens have something to load once the filter moved their
// selection (a preview of the selected row); the root runs the command.
type Refiltered interface {
	Refiltered() tea.Cmd
}

// Closer screens hold something (a log stream) that must be released when
// they leave the navigation stack.
type Closer interface {
	Close()
}
