// Package common holds what every screen shares: the context pointer the
// root hands to each view, the Screen contract, and the messages the root
// broadcasts (cluster snapshots, store changes, the clock).
package common

import (
	"strconv"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/theme"
)

// Context is shared by pointer between the root and every screen. Only the
// root writes it, on the event loop; views read it.
type Context struct {
	Styles *theme.Styles
	Store  oncall.Store
	// Me is the member mapped to the OS user running entretien; MeErr says
	// why there is none (shown, never fatal).
	Me    oncall.Member
	MeErr error
	Now   func() time.Time
	// Width and Height of the area a screen may draw in (the terminal less
	// the header and the status line).
	Width, Height int
	// Site narrows every list to one site (`:site lyon`); "" is all.
	Site string
	// Cluster fetches details on demand; nil when there is no live
	// cluster (some tests), and screens then say so.
	Cluster Cluster
	// Actor acts on the cluster (restart, drain…); nil when entretien is
	// read-only or has no live cluster: every action key is then absent.
	Actor Actor
	// ReadOnly hides every action (--read-only, ENTRETIEN_READ_ONLY=1).
	ReadOnly bool
}

// CanAct says whether action keys exist at all on this run.
func (c *Context) CanAct() bool { return c.Actor != nil && !c.ReadOnly }

// Screen is one top-level view. Update returns the Screen itself so the
// root never needs a type assertion.
type Screen interface {
	help.KeyMap
	Init() tea.Cmd
	Update(tea.Msg) (Screen, tea.Cmd)
	View() string
	// Title is the tab label.
	Title() string
	// Capturing is true while the screen owns every key (an input box or a
	// filter is open), so global keys like q must not fire.
	Capturing() bool
}

// SnapshotMsg carries a new cluster snapshot to every screen.
type SnapshotMsg struct{ Snap *sources.Snapshot }

// StoreChangedMsg tells screens that the shared database changed (another
// member wrote, or this process did) or that their clock-based data (who is
// on call now) may need a refresh.
type StoreChangedMsg struct{ Now time.Time }

// ErrMsg reports an error the root shows in the status line.
type ErrMsg struct{ Err error }

// Ago writes a duration the way an operator reads it: 45s, 12m, 3h, 2d.
// d is an age (now minus a past time); for a time remaining use Left.
// Either tells the frame being drawn when it will read differently
// (ages.go).
func Ago(d time.Duration) string {
	record(d, false)
	return ago(d)
}

func ago(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + "d"
}

// Location loads an IANA zone stored in the database, falling back to UTC
// (the store validates zones on write, so this is for old or foreign rows).
func Location(tz string) *time.Location {
	if l, err := time.LoadLocation(tz); err == nil {
		return l
	}
	return time.UTC
}
