package oncall

import (
	"time"
)

// Section is a part of the retro written by members.
type Section string

const (
	SectionSummary  Section = "summary"
	SectionImpact   Section = "impact"    // who was affected, how
	SectionFactor   Section = "factor"    // contributing factors: several, never one root cause
	SectionWentWell Section = "went_well" // what went well
	SectionWasHard  Section = "was_hard"  // what was hard
)

// Sections is every section, in the order a retro reads.
var Sections = []Section{SectionSummary, SectionImpact, SectionFactor, SectionWentWell, SectionWasHard}

// ParseSection reads a section name as typed; "well" and "hard" are short
// forms.
func ParseSection(s string) (Section, error) {
	switch s {
	case "well", "went-well":
		return SectionWentWell, nil
	case "hard", "was-hard":
		return SectionWasHard, nil
	case "factors", "contributing":
		return SectionFactor, nil
	}
	for _, x := range Sections {
		if string(x) == s {
			return x, nil
		}
	}
	return "", Invalid("retro.section", s, "must be summary, impact, factor, well or hard")
}

// RetroNote is one item of a retro section.
type RetroNote struct {
	ID         int64
	IncidentID int64
	Section    Section
	Text       string // as typed; sanitise when drawing
	Author     string
	At         time.Time
}
