package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/oncall"
)

// lineOf is the row of the frame holding text, and its column.
func lineOf(t *testing.T, frame, text string) (x, y int) {
	t.Helper()
	for y, line := range strings.Split(frame, "\n") {
		if x := strings.Index(line, text); x >= 0 {
			return x, y
		}
	}
	t.Fatalf("%q not on screen:\n%s", text, frame)
	return 0, 0
}

func crumbs(frame string) string { return strings.TrimSpace(strings.SplitN(frame+"\n\n", "\n", 3)[1]) }

// The incident shown in an outage's INCIDENT column opens with i on the
// outages screen, as a screen on the stack: its retro on top, esc back
// down; / filters its timeline, a click selects a timeline row and a click
// on the selected one reads it whole. The incidents tab opens one with enter.
func TestIncidentAndRetroAreStackScreens(t *testing.T) {
	tm, _, _ := newFixtureModel(t, 120, 30)
	st := tm.ctx.Store
	ctx := context.Background()
	ins, err := st.Incidents(ctx, oncall.IncidentFilter{})
	if err != nil || len(ins) != 1 {
		t.Fatalf("incidents %+v %v", ins, err)
	}
	in := ins[0] // affects service/guichet, out in lyon
	if _, err := st.AddEntry(ctx, in.ID, "amelie", oncall.KindAction, "restarted guichet on lyon-1"); err != nil {
		t.Fatal(err)
	}
	es, err := st.Entries(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	var obs oncall.Entry
	for _, e := range es {
		if e.Kind == oncall.KindObservation {
			obs = e
		}
	}
	title := fmt.Sprintf("#%d guichet check failing in lyon", in.ID)

	f := tm.wait("service guichet", fmt.Sprintf("#%d open", in.ID))
	if _, y := lineOf(t, f, "service guichet"); !strings.Contains(strings.Split(f, "\n")[y], fmt.Sprintf("#%d open", in.ID)) {
		t.Fatalf("guichet's row shows no incident:\n%s", f)
	}
	press(tm, "enter") // enter still drills into what is broken
	tm.wait("outages › service guichet")
	press(tm, "esc")
	tm.wait("SITE", "service guichet")
	press(tm, "i")
	f = tm.wait("outages › "+title, "404 on /health", "restarted guichet on lyon-1", "lead —")
	if c := crumbs(f); c != "outages › "+title {
		t.Fatalf("breadcrumbs %q", c)
	}
	press(tm, "r")
	f = tm.wait("outages › "+title+" › retro", "Retro of #", "Key moments")
	press(tm, "esc")
	tm.wait("outages › "+title, "lead —")
	press(tm, "esc")
	f = tm.wait("SITE", "service guichet")
	if c := crumbs(f); !strings.HasPrefix(c, "outages ") || strings.Contains(c, "›") {
		t.Fatalf("esc twice did not come back to the outages: %q", c)
	}

	// A row without an incident says so.
	press(tm, "j", "i")
	tm.wait("no open incident about node paris-2")
	press(tm, "k")

	// / filters the timeline as the member types; esc clears it.
	press(tm, "i")
	tm.wait(title, "restarted guichet on lyon-1")
	press(tm, "/", "4", "0", "4", "enter")
	f = tm.wait("filter /404", "404 on /health")
	if strings.Contains(f, "restarted guichet") {
		t.Fatalf("the filter kept an entry without 404:\n%s", f)
	}
	press(tm, "esc")
	f = tm.wait("404 on /health", "restarted guichet on lyon-1")

	// A click selects the row (G put the cursor on the newest, the last):
	// enter then reads the clicked one. A click on the selected row opens
	// it, as in lists.
	click := func(x, y int) { tm.Send(tea.MouseClickMsg{Button: tea.MouseLeft, X: x, Y: y}) }
	x, y := lineOf(t, f, "404 on /health")
	press(tm, "G")
	click(x, y)
	time.Sleep(150 * time.Millisecond)
	if f = tm.wait(title); strings.Contains(crumbs(f), "observation") {
		t.Fatalf("a first click opened the row:\n%s", f)
	}
	entry := fmt.Sprintf("%s › #%d observation", title, obs.ID)
	press(tm, "enter")
	tm.wait(entry, "observation by amelie", "404 on /health since the deploy")
	press(tm, "esc")
	tm.wait(title, "restarted guichet on lyon-1")
	click(x, y)
	tm.wait(entry, "observation by amelie")
	press(tm, "esc", "esc")
	tm.wait("SITE", "service guichet")

	// The incidents tab: enter on the selected row opens it.
	press(tm, "8")
	tm.wait("guichet check failing in lyon", "enter: open")
	press(tm, "enter")
	f = tm.wait("incidents › "+title, "lead —")
	if c := crumbs(f); c != "incidents › "+title {
		t.Fatalf("breadcrumbs %q", c)
	}
	press(tm, "esc")
	tm.wait("enter: open · r: retro")

	// The overview: the site's INCIDENT cell, i opens it.
	press(tm, "2")
	tm.wait("INCIDENT", fmt.Sprintf("#%d open", in.ID))
	press(tm, "j") // bruxelles → lyon
	press(tm, "i")
	tm.wait("overview › "+title, "lead —")
}
