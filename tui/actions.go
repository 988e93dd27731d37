package tui

import "codeberg.org/entretien/entretien/views/common"

// actor is who acts on the cluster for the screens: none when read-only
// (every action key is then absent from the help and inert), else the
// one given, else the Source when it can act (a *sources.Watcher). Exec
// suspends the TUI through tea.Exec (views/common/exec.go): bubbletea
// releases the terminal and takes it back when the session ends.
func actor(o Options) common.Actor {
	if o.ReadOnly {
		return nil
	}
	if o.Actor != nil {
		return o.Actor
	}
	a, _ := o.Source.(common.Actor)
	return a
}
