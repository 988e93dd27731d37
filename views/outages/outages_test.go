package outages

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/fixture"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/theme"
)

// The same job failing in two namespaces is two outages, each named by its
// namespace and opening its own job; within a site the worst come first.
func TestOutagesOfTwoNamespaces(t *testing.T) {
	snap := fixture.TwoNamespaces()
	ctx := &common.Context{Styles: theme.New(true), Now: func() time.Time { return fixture.Now }, Width: 140, Height: 30}
	m := New(ctx)
	m.Update(common.SnapshotMsg{Snap: snap})
	v := ansi.Strip(m.View())
	for _, want := range []string{"job ops/garage", "job default/backup"} {
		if !strings.Contains(v, want) {
			t.Errorf("outages lack %q:\n%s", want, v)
		}
	}
	// lyon: the failed job and the critical service rank alike, so the
	// builder's order (jobs before services) stays.
	if i, j := strings.Index(v, "job ops/garage"), strings.Index(v, "service guichet"); i < 0 || j < 0 || i > j {
		t.Errorf("lyon's outages out of the builder's order:\n%s", v)
	}
	var ops sources.Outage
	for _, o := range snap.OutagesOf("job", "garage") {
		if o.Namespace == "ops" {
			ops = o
		}
	}
	push, ok := Open(ctx, ops)().(common.PushMsg)
	if !ok {
		t.Fatal("the ops outage opens nothing")
	}
	push.Screen.Update(common.SnapshotMsg{Snap: snap})
	if jv := ansi.Strip(push.Screen.View()); !strings.Contains(jv, "0b5a0000") || strings.Contains(jv, "9a1b0000") {
		t.Errorf("ops/garage outage opens:\n%s", jv)
	}
}

// Worst first within a site, by sources.StatusRank.
func TestOutagesWorstFirst(t *testing.T) {
	snap := fixture.Snapshot()
	snap.Outages = []sources.Outage{
		{Kind: "service", Name: "a", Site: "paris", Status: "warning"},
		{Kind: "service", Name: "b", Site: "paris", Status: "critical"},
		{Kind: "service", Name: "c", Site: "lyon", Status: "warning"},
	}
	ctx := &common.Context{Styles: theme.New(true), Now: func() time.Time { return fixture.Now }, Width: 140, Height: 30}
	m := New(ctx)
	m.Update(common.SnapshotMsg{Snap: snap})
	v := ansi.Strip(m.View())
	c, b, a := strings.Index(v, "service c"), strings.Index(v, "service b"), strings.Index(v, "service a")
	if c < 0 || b < 0 || a < 0 || !(c < b && b < a) {
		t.Errorf("want lyon's c, then paris' b (critical) before a (warning):\n%s", v)
	}
}
