package tui

import (
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/views/common"
)

// ErrorMsg is an error from outside the program (the recorder), shown on the
// status line like the screens' own errors.
func ErrorMsg(err error) tea.Msg { return common.ErrMsg{Err: err} }
