package retro

import (
	"testing"

	"codeberg.org/entretien/entretien/oncall"
)

func TestParseAction(t *testing.T) {
	for in, want := range map[string]oncall.NewAction{
		"rotate logs @lucas 2026-12-01":   {Title: "rotate logs", Owner: "lucas", Due: "2026-12-01"},
		"@chloe check the uplink":         {Title: "check the uplink", Owner: "chloe"},
		"buy a disk 2027-01-15":           {Title: "buy a disk", Due: "2027-01-15"},
		"mail to ops@example.org about x": {Title: "mail to ops@example.org about x"},
		"plain":                           {Title: "plain"},
	} {
		if got := ParseAction(in); got != want {
			t.Errorf("ParseAction(%q) = %+v, want %+v", in, got, want)
		}
	}
}
