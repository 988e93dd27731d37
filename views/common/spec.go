package common

import (
	"charm.land/lipgloss/v2"

	"codeberg.org/entretien/entretien/views/theme"
)

// Spec is a list cell as a screen builds it: text and what it means. It is
// small (a lipgloss.Style is over 600 bytes), so a list of ten thousand
// rows is cheap to rebuild; List turns Specs into styled Cells only for
// the rows on screen.
type Spec struct {
	Text string
	Kind Kind
	// Word is the status word that picks the style of a Status cell
	// when the text says more ("#3 open"); default Text.
	Word string
}

// Kind is what a cell's text means, hence its style.
type Kind uint8

const (
	Plain Kind = iota
	Muted
	Bold
	Warn
	Crit
	Status // styled by theme.ForStatus(Word or Text)
	Info
	Severity // styled by theme.Severity[Word], Word "1".."3"
)

func (s Spec) style(st *theme.Styles) lipgloss.Style {
	switch s.Kind {
	case Muted:
		return st.Muted
	case Bold:
		return st.Bold
	case Warn:
		return st.Warn
	case Crit:
		return st.Crit
	case Info:
		return st.Info
	case Severity:
		if n := int(s.Word[0] - '0'); len(s.Word) == 1 && n >= 1 && n <= 3 {
			return st.Severity[n]
		}
		return st.Severity[0]
	case Status:
		if s.Word != "" {
			return st.ForStatus(s.Word)
		}
		return st.ForStatus(s.Text)
	}
	return st.Row
}

// StatusSpec is a status word cell ("—" when unknown).
func StatusSpec(status string) Spec {
	if status == "" {
		return Spec{Text: "—", Kind: Muted}
	}
	return Spec{Text: status, Kind: Status}
}
