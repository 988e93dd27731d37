package tui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/fixture"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
)

// A click on a tab goes to it; on a row selects it; on the selected row
// opens it (as enter). Coordinates are read off the drawn frame.
func TestMouseClicksTabsAndRows(t *testing.T) {
	tm, _, _ := newFixtureModel(t, 100, 30)
	frame := tm.wait("service guichet")
	click := func(x, y int) { tm.Send(tea.MouseClickMsg{Button: tea.MouseLeft, X: x, Y: y}) }
	at := func(frame, text string) (x, y int) {
		t.Helper()
		for y, line := range strings.Split(frame, "\n") {
			if x := strings.Index(line, text); x >= 0 {
				return x, y
			}
		}
		t.Fatalf("%q not on screen:\n%s", text, frame)
		return 0, 0
	}
	x, y := at(frame, "3 nodes")
	click(x+2, y)
	frame = tm.wait("physical access", "1/4")
	x, y = at(frame, "dara (physical access)") // paris-2's row, not the summary above
	click(x, y)
	tm.wait("4/4")
	click(1, y+3) // below the rows: nothing
	click(x, y)   // the selected row: open it
	frame = tm.wait("nodes › node paris-2")
	// The right button and the help overlay leave everything as it is.
	ox, oy := at(frame, "1 outag") // names are cut short at 100 columns since the tenth tab
	tm.Send(tea.MouseClickMsg{Button: tea.MouseRight, X: ox, Y: oy})
	press(tm, "?")
	click(ox, oy)
	press(tm, "esc")
	frame = tm.wait("nodes › node paris-2")
	x, y = at(frame, "5 servi")
	click(x, y)
	tm.wait("HEALTH")
}

// A service registered without checks is listed; its instances come from
// the catalog when it is opened, with an unknown state.
func TestServiceWithoutChecksReadFromTheCatalog(t *testing.T) {
	tm, cl, _ := newFixtureModel(t, 120, 30)
	tm.wait("service guichet")
	press(tm, "5")
	tm.wait("mirror", "unchecked", "no health check: state unknown")
	for range 2 {
		press(tm, "j")
	}
	tm.wait("3/3")
	press(tm, "enter")
	tm.wait("services › service mirror", "registered without any check in dc1", "paris", "paris-1", "unknown", "10.0.1.1:873", "1/1")
	press(tm, "enter") // no check to open: stays
	press(tm, "esc")
	tm.wait("SERVICE", "3/3")
	// The catalog refuses: said on the screen, not an empty list alone.
	cl.FailCatalog(errors.New("consul: instances of service mirror: HTTP 403: Permission denied"))
	press(tm, "enter")
	tm.wait("services › service mirror", "catalog: consul: instances of service mirror: HTTP 403", "no instance of this service")
	// Once mirror has a check, its instances are the snapshot's alone.
	cl.FailCatalog(nil)
	press(tm, "esc")
	press(tm, "enter")
	tm.wait("services › service mirror", "10.0.1.1:873", "unknown")
	checked := fixture.Snapshot()
	checked.Consul.Unchecked = nil
	checked.Consul.Instances = append(checked.Consul.Instances, sources.ServiceInstance{ID: "mirror-1", Service: "mirror",
		Node: "paris-1", Address: "10.0.1.1", Port: 873, Status: sources.StatusPassing, Site: "paris", Datacenter: "dc1"})
	tm.Send(common.SnapshotMsg{Snap: checked})
	frame := tm.wait("services › service mirror", "passing", "1/1")
	if strings.Contains(frame, "unknown") || strings.Contains(frame, "no health check") {
		t.Fatalf("catalog rows left once the service is checked:\n%s", frame)
	}
}
