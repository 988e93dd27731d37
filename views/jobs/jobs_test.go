package jobs

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/fixture"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/theme"
)

func testCtx() *common.Context {
	return &common.Context{Styles: theme.New(true), Now: func() time.Time { return fixture.Now }, Width: 140, Height: 30}
}

// open presses enter on the row whose ID is id and returns the screen it
// pushes.
func open(t *testing.T, s *common.ListScreen, id string) common.Screen {
	t.Helper()
	s.View()
	s.Handle(tea.KeyPressMsg{Code: 'g', Text: "g"})
	for range 20 {
		if r, ok := s.Selected(); ok && r.ID == id {
			msg := s.Handle(tea.KeyPressMsg{Code: tea.KeyEnter})()
			push, ok := msg.(common.PushMsg)
			if !ok {
				t.Fatalf("enter on %s: %T", id, msg)
			}
			return push.Screen
		}
		s.Handle(tea.KeyPressMsg{Code: 'j', Text: "j"})
	}
	t.Fatalf("no row %s", id)
	return nil
}

func view(s common.Screen, snap *sources.Snapshot) string {
	s.Update(common.SnapshotMsg{Snap: snap})
	return ansi.Strip(s.View())
}

// Followed with NOMAD_NAMESPACE=*, two jobs share an ID: both are listed,
// named by namespace, and each opens its own allocations.
func TestJobsOfTwoNamespaces(t *testing.T) {
	snap := fixture.TwoNamespaces()
	ctx := testCtx()
	list := New(ctx)
	v := view(list, snap)
	for _, want := range []string{"default/garage", "ops/garage", "default/backup"} {
		if !strings.Contains(v, want) {
			t.Errorf("jobs list lacks %q:\n%s", want, v)
		}
	}

	ops := view(open(t, list, "ops/garage"), snap)
	if !strings.Contains(ops, "ops/garage") || !strings.Contains(ops, "batch") || !strings.Contains(ops, "0b5a0000") || strings.Contains(ops, "9a1b0000") {
		t.Errorf("ops/garage shows:\n%s", ops)
	}
	def := view(open(t, list, "default/garage"), snap)
	if strings.Contains(def, "0b5a0000") || strings.Count(def, "9a1b0000") != 3 || !strings.Contains(def, "deployment v0") {
		t.Errorf("default/garage shows:\n%s", def)
	}
	// Without a namespace: the first one holding the job.
	if first := view(NewAllocs(ctx, "garage"), snap); strings.Contains(first, "0b5a0000") || strings.Count(first, "9a1b0000") != 3 {
		t.Errorf("NewAllocs(garage) shows:\n%s", first)
	}
	// One namespace: job IDs alone, as before.
	if one := view(New(ctx), fixture.Snapshot()); strings.Contains(one, "default/") || !strings.Contains(one, "garage") {
		t.Errorf("one namespace:\n%s", one)
	}
}
