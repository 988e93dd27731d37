// Package defertmux keeps lipgloss's package initialisation from running
// `tmux info` before main: under tmux, colorprofile forks `tmux info` to
// learn whether tmux passes true colour through, 5-20 ms spent before the
// TUI can start (issue 17: the first frame). Importing this package for its
// side effect hides TMUX from the environment while packages initialise;
// main calls Restore first thing, and the TUI asks tmux later, once its
// first frame is out (cmd/entretien/tui.go).
//
// Go initialises packages in import-path order among those whose imports
// are initialised (the spec, since Go 1.21): this package imports only os,
// and lipgloss waits on github.com/charmbracelet/colorprofile, which sorts
// after codeberg.org/…, so this init runs first. TestTmuxInfoNotRunAtStart
// checks it on the real binary.
package defertmux

import "os"

var value, set = os.LookupEnv("TMUX")

func init() {
	if set {
		_ = os.Unsetenv("TMUX")
	}
}

// Restore puts TMUX back as it was. It reports whether TMUX was set, that
// is whether the colour profile lipgloss found may be short of the
// terminal's (tmux's own answer not asked).
func Restore() bool {
	if set {
		_ = os.Setenv("TMUX", value)
	}
	return set
}
