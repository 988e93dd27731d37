// Package theme holds every style entretien draws with, in one place. Views
// take a *Styles and never build coloured styles of their own. Colours only
// reinforce meaning: every status is also written as a word, so the screens
// read the same without colour (NO_COLOR, monochrome terminals).
package theme

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles is built once per background (dark or light) by New.
type Styles struct {
	IsDark bool

	App       lipgloss.Style
	Title     lipgloss.Style // the app name in the header
	Tab       lipgloss.Style
	TabActive lipgloss.Style
	Crumb     lipgloss.Style

	Section lipgloss.Style // a block heading inside a screen
	Header  lipgloss.Style // table header row
	Row     lipgloss.Style
	Cursor  lipgloss.Style // the selected row
	Muted   lipgloss.Style
	Bold    lipgloss.Style
	Key     lipgloss.Style // key names in inline hints

	// Status words.
	OK       lipgloss.Style // passing, running, ready
	Warn     lipgloss.Style // warning, pending, draining
	Crit     lipgloss.Style // critical, failed, down
	Stale    lipgloss.Style // data that is not known to be current
	Info     lipgloss.Style
	Severity [4]lipgloss.Style // index 1..3

	StatusBar lipgloss.Style
	ErrorBox  lipgloss.Style
	HelpBox   lipgloss.Style

	// Care screen: the bar of a figure and a share above the average.
	CareBar  lipgloss.Style
	CareFlag lipgloss.Style
}

// New builds the styles for a dark or light background.
func New(isDark bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	var (
		fg     = ld(lipgloss.Color("#1f2328"), lipgloss.Color("#e6e6e6"))
		muted  = ld(lipgloss.Color("#6e7781"), lipgloss.Color("#8b949e"))
		accent = ld(lipgloss.Color("#0550ae"), lipgloss.Color("#79c0ff"))
		ok     = ld(lipgloss.Color("#1a7f37"), lipgloss.Color("#56d364"))
		warn   = ld(lipgloss.Color("#9a6700"), lipgloss.Color("#e3b341"))
		crit   = ld(lipgloss.Color("#cf222e"), lipgloss.Color("#ff7b72"))
		stale  = ld(lipgloss.Color("#8250df"), lipgloss.Color("#d2a8ff"))
		selBg  = ld(lipgloss.Color("#ddf4ff"), lipgloss.Color("#1f3a5f"))
		barBg  = ld(lipgloss.Color("#eaeef2"), lipgloss.Color("#21262d"))
	)
	fgOn := func(c color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }
	s := &Styles{
		IsDark:    isDark,
		App:       lipgloss.NewStyle().Foreground(fg),
		Title:     lipgloss.NewStyle().Bold(true).Foreground(accent),
		Tab:       fgOn(muted).Padding(0, 1),
		TabActive: lipgloss.NewStyle().Bold(true).Underline(true).Foreground(accent).Padding(0, 1),
		Crumb:     fgOn(muted),
		Section:   lipgloss.NewStyle().Bold(true).Foreground(accent),
		Header:    lipgloss.NewStyle().Bold(true).Foreground(muted),
		Row:       lipgloss.NewStyle(),
		Cursor:    lipgloss.NewStyle().Background(selBg).Bold(true),
		Muted:     fgOn(muted),
		Bold:      lipgloss.NewStyle().Bold(true),
		Key:       lipgloss.NewStyle().Bold(true).Foreground(accent),
		OK:        fgOn(ok),
		Warn:      fgOn(warn).Bold(true),
		Crit:      fgOn(crit).Bold(true),
		Stale:     fgOn(stale).Italic(true),
		Info:      fgOn(accent),
		StatusBar: lipgloss.NewStyle().Background(barBg).Foreground(fg).Padding(0, 1),
		ErrorBox:  fgOn(crit).Border(lipgloss.RoundedBorder()).BorderForeground(crit).Padding(0, 1),
		HelpBox:   lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(muted).Padding(0, 1),
	}
	s.Severity = [4]lipgloss.Style{s.Muted, s.Crit, s.Warn, s.Info}
	s.CareBar = fgOn(accent)
	s.CareFlag = fgOn(warn) // an invitation to share, not an alarm: no bold

	return s
}

// ForStatus picks the style that carries the meaning of a status word from
// Nomad, Consul or the journal.
func (s *Styles) ForStatus(status string) lipgloss.Style {
	switch status {
	case "passing", "running", "ready", "complete", "successful", "resolved", "reviewed", "up", "ok":
		return s.OK
	case "warning", "pending", "starting", "draining", "initializing", "acknowledged", "mitigated", "maintenance", "degraded",
		"blocked", "queued", "ineligible", "paused":
		return s.Warn
	case "critical", "failed", "down", "lost", "dead", "disconnected", "open", "unreachable", "error":
		return s.Crit
	case "stale", "unknown":
		return s.Stale
	}
	return s.Row
}
