package sources_test

import (
	"slices"
	"testing"

	"codeberg.org/entretien/entretien/internal/fixture"
)

func TestKnowsAndServiceNodes(t *testing.T) {
	s := fixture.Snapshot()
	for target, want := range map[string]bool{"site/lyon": true, "site/marseille": false, "node/lyon-1": true, "node/lyon-9": false,
		"service/guichet": true, "service/nothing": false, "rotation/primary": true} {
		if got := s.Knows(target); got != want {
			t.Errorf("Knows(%s) = %v, want %v", target, got, want)
		}
	}
	if got := s.ServiceNodes()["guichet"]; !slices.Equal(got, []string{"lyon-1"}) {
		t.Errorf("guichet runs on %v, want [lyon-1]", got)
	}
}
