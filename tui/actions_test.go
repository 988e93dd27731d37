package tui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"codeberg.org/entretien/entretien/internal/fixture"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/views/common"
)

// newActingModel is the root on the fixture cluster with a fake Actor.
func newActingModel(t *testing.T, actor *fixture.Actor, readOnly bool) (*probe, oncall.Store) {
	t.Helper()
	st, me := testStore(t)
	return newActingModelOn(t, st, me, actor, readOnly), st
}

func newActingModelOn(t *testing.T, st oncall.Store, me oncall.Member, actor *fixture.Actor, readOnly bool) *probe {
	t.Helper()
	snap := fixture.Snapshot()
	m := New(Options{Source: newStaticSource(snap), Store: st, Me: me, Now: func() time.Time { return fixture.Now },
		Tick: 50 * time.Millisecond, Cluster: fixture.NewCluster(snap), Actor: actor, ReadOnly: readOnly})
	p := &probe{Model: m, t: t}
	p.TestModel = teatest.NewTestModel(t, p, teatest.WithInitialTermSize(120, 36),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII)))
	t.Cleanup(func() { p.Quit() })
	return p
}

// toBackupAlloc opens the newest allocation of job backup (paris).
func toBackupAlloc(t *testing.T, tm *probe) {
	t.Helper()
	tm.wait("service guichet")
	walk(t, tm, []step{
		{"4", []string{"backup", "garage"}},
		{"enter", []string{"job backup"}},
		{"enter", []string{"b4c4a11e", "Recent task events"}},
	})
}

func ctrl(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl} }

// One stray key never acts: the prompt names the object and its site,
// swallows the key that cancels it, and only y acts; the outcome (the
// evaluation, where it was written) shows, and the action log has it.
func TestActionPromptOnlyYActs(t *testing.T) {
	actor := fixture.NewActor()
	tm, st := newActingModel(t, actor, false)
	toBackupAlloc(t, tm)
	walk(t, tm, []step{{"R", []string{"restart allocation b4c4a11e of backup on paris? type y"}}})
	// q would quit and 4 switch tabs: the prompt swallows them.
	walk(t, tm, []step{{"q", []string{"cancelled: restart allocation b4c4a11e of backup on paris"}}})
	walk(t, tm, []step{{"R", []string{"type y"}}, {"4", []string{"cancelled: restart allocation"}}})
	tm.wait("Recent task events") // still on the allocation screen
	if got := actor.Acts(); len(got) != 0 {
		t.Fatalf("a cancelled prompt acted: %+v", got)
	}
	walk(t, tm, []step{{"R", []string{"type y"}},
		{"y", []string{"restart allocation b4c4a11e of backup on paris: restart accepted, evaluation e5a1c0de · written in the action log"}}})
	acts := actor.Acts()
	if len(acts) != 1 || acts[0].Kind != common.RestartAlloc || acts[0].AllocID != fixture.BackupAlloc2 || acts[0].JobID != "backup" {
		t.Fatalf("acts = %+v", acts)
	}
	log, err := st.ClusterActions(context.Background(), time.Time{}, time.Now().Add(24*time.Hour))
	if err != nil || len(log) != 1 {
		t.Fatalf("action log = %+v, %v", log, err)
	}
	a := log[0]
	if a.By != "amelie" || !a.OK || a.What != "restart allocation b4c4a11e of backup on paris" || !strings.Contains(a.Outcome, fixture.EvalID) {
		t.Errorf("logged %+v", a)
	}
	for _, want := range []string{"job/backup", "node/paris-1", "site/paris"} {
		if !slices.Contains(a.Touches, want) {
			t.Errorf("touches %v lack %s", a.Touches, want)
		}
	}
}

// An action on something an incident in progress affects is written in
// its timeline, and the incident's screen shows the entry.
func TestActionWrittenInTheIncidentTimeline(t *testing.T) {
	actor := fixture.NewActor()
	tm, _ := newActingModel(t, actor, false)
	tm.wait("service guichet")
	walk(t, tm, []step{
		{"4", []string{"guichet"}}, {"G", []string{"3/3"}},
		{"enter", []string{"job guichet"}},
		{"enter", []string{"7c1e2b3a", "Recent task events"}},
		{"r", []string{"restart task web of allocation 7c1e2b3a of guichet on lyon? type y"}},
		{"y", []string{"restart accepted, evaluation e5a1c0de", "written in #1's", "timeline"}},
	})
	if acts := actor.Acts(); len(acts) != 1 || acts[0].Kind != common.RestartTask || acts[0].Task != "web" {
		t.Fatalf("acts = %+v", acts)
	}
	walk(t, tm, []step{
		{"8", []string{"guichet check failing in lyon"}},
		{"enter", []string{"restart task web of allocation 7c1e2b3a of guichet on lyon: restart accepted"}},
	})
}

// Nomad's error shows, and is recorded as a failed action.
func TestActionErrorShows(t *testing.T) {
	actor := fixture.NewActor()
	actor.Fail(common.StopAlloc, errors.New("Unexpected response code: 500 (alloc not found)"))
	tm, st := newActingModel(t, actor, false)
	toBackupAlloc(t, tm)
	tm.Send(ctrl('k'))
	tm.wait("stop allocation b4c4a11e of backup on paris (Nomad reschedules it)? type y")
	walk(t, tm, []step{{"y", []string{"failed: Unexpected response code: 500 (alloc not", "found) · written in the action log"}}})
	log, _ := st.ClusterActions(context.Background(), time.Time{}, time.Now().Add(24*time.Hour))
	if len(log) != 1 || log[0].OK || !strings.Contains(log[0].Outcome, "500") {
		t.Fatalf("action log = %+v", log)
	}
}

// --read-only: no action in the help, and the keys do nothing.
func TestReadOnlyHidesActions(t *testing.T) {
	for _, ro := range []bool{false, true} {
		actor := fixture.NewActor()
		tm, _ := newActingModel(t, actor, ro)
		toBackupAlloc(t, tm)
		frame := tm.wait("Recent task events")
		press(tm, "?")
		frame = tm.wait("go to screen")
		for _, label := range []string{"restart allocation", "restart task", "stop allocation", "exec in the task"} {
			if strings.Contains(frame, label) == ro {
				t.Errorf("read-only %v: help has %q = %v:\n%s", ro, label, !ro, frame)
			}
		}
		press(tm, "?")
		if ro {
			press(tm, "R", "y", "r", "y")
			tm.Send(ctrl('k'))
			press(tm, "y")
			time.Sleep(200 * time.Millisecond)
			frame = tm.wait("Recent task events")
			if strings.Contains(frame, "type y") || len(actor.Acts()) != 0 {
				t.Errorf("read-only acted (%+v):\n%s", actor.Acts(), frame)
			}
		}
		tm.Quit()
	}
}

// A token whose policy forbids an action: the help marks it, its key says
// Nomad's reason and asks nothing.
func TestDeniedActionSaysWhy(t *testing.T) {
	actor := fixture.NewActor()
	const reason = "your token cannot write jobs in namespace default"
	actor.Deny(common.RestartAlloc, reason)
	tm, _ := newActingModel(t, actor, false)
	toBackupAlloc(t, tm)
	press(tm, "?")
	tm.wait("restart allocation (not allowed)", "restart task")
	press(tm, "?")
	walk(t, tm, []step{{"R", []string{reason}}})
	if strings.Contains(tm.wait(reason), "type y") || len(actor.Acts()) != 0 {
		t.Fatal("a denied action asked or acted")
	}
}

// A drain asks for a deadline: -5m is refused with the reason, 1h goes on
// to the confirmation.
func TestDrainDeadline(t *testing.T) {
	actor := fixture.NewActor()
	tm, _ := newActingModel(t, actor, false)
	tm.wait("service guichet")
	walk(t, tm, []step{
		{"3", []string{"bxl-1", "lyon-1"}},
		{"d", []string{"drain node bxl-1 on bruxelles, deadline: 1h"}},
	})
	press(tm, "backspace", "backspace", "-", "5", "m")
	walk(t, tm, []step{{"enter", []string{"deadline -5m: must be later than now"}}})
	press(tm, "backspace", "backspace", "backspace", "1", "h")
	walk(t, tm, []step{
		{"enter", []string{"drain node bxl-1 on bruxelles with a deadline of 1h0m0s? type y"}},
		{"y", []string{"drain started, deadline 1h0m0s"}},
	})
	if acts := actor.Acts(); len(acts) != 1 || acts[0].Kind != common.DrainNode || acts[0].NodeID != fixture.NodeBxl || acts[0].Deadline != time.Hour {
		t.Fatalf("acts = %+v", acts)
	}
	// The eligibility key names what it will do.
	walk(t, tm, []step{{"e", []string{"mark node bxl-1 on bruxelles ineligible (no new allocations)? type y"}}, {"n", []string{"cancelled"}}})
}

// n on an outage: the form is prefilled from it; enter opens the incident
// and shows its screen at once.
func TestNewIncidentFromOutage(t *testing.T) {
	tm, st := newActingModel(t, fixture.NewActor(), false)
	tm.wait("service guichet", "#1 open")
	walk(t, tm, []step{
		{"j", []string{"2/3"}}, {"j", []string{"3/3"}},
		{"n", []string{"Open an incident", "prefilled from the outage: job backup failed", "job backup failed in paris", "job/backup", "[sev2]"}},
		{"enter", []string{"#2 job backup failed in paris"}},
	})
	in, err := st.Incident(context.Background(), 2)
	if err != nil || in.Title != "job backup failed in paris" || !slices.Equal(in.Affects, []string{"job/backup"}) || in.Severity != 2 || in.OpenedBy != "amelie" {
		t.Fatalf("incident = %+v, %v", in, err)
	}
}

// n on an outage an incident already affects opens that incident, saying so.
func TestNewIncidentAttachesToTheOpenOne(t *testing.T) {
	tm, st := newActingModel(t, fixture.NewActor(), false)
	tm.wait("service guichet", "#1 open")
	walk(t, tm, []step{{"n", []string{"#1 guichet check failing in lyon", "service guichet is already in #1 (affects service/guichet): no new incident"}}})
	if ins, _ := st.Incidents(context.Background(), oncall.IncidentFilter{}); len(ins) != 1 {
		t.Fatalf("%d incidents, want 1", len(ins))
	}
}

// n on the journal opens a blank form; a missing title and a malformed
// target are refused; the incident then shows in another member's TUI on
// the same database within the poll.
func TestNewBlankIncidentAndAnotherMemberSeesIt(t *testing.T) {
	tm, st := newActingModel(t, fixture.NewActor(), false)
	lucas, err := st.Member(context.Background(), "lucas")
	if err != nil {
		t.Fatal(err)
	}
	other := newActingModelOn(t, st, lucas, fixture.NewActor(), false)
	other.wait("service guichet")
	walk(t, other, []step{{"8", []string{"guichet check failing in lyon"}}})

	tm.wait("service guichet")
	walk(t, tm, []step{
		{"8", []string{"guichet check failing in lyon"}},
		{"n", []string{"Open an incident", "[sev2]"}},
		{"enter", []string{"a title is needed"}},
	})
	press(tm, strings.Split("disk full", "")...)
	press(tm, "tab")
	walk(t, tm, []step{{"1", []string{"[sev1]"}}})
	press(tm, "tab")
	press(tm, strings.Split("garage", "")...)
	walk(t, tm, []step{{"enter", []string{`affects "garage": write job/NAME, service/NAME, site/NAME or node/NAME`}}})
	for range 6 {
		press(tm, "backspace")
	}
	press(tm, strings.Split("job/garage, site/paris", "")...)
	walk(t, tm, []step{{"enter", []string{"#2 disk full"}}})
	in, err := st.Incident(context.Background(), 2)
	if err != nil || in.Severity != 1 || !slices.Equal(in.Affects, []string{"job/garage", "site/paris"}) {
		t.Fatalf("incident = %+v, %v", in, err)
	}
	other.wait("disk full", "job/garage site/paris")
	// esc on the form cancels and writes nothing.
	walk(t, tm, []step{{"esc", []string{"disk full"}}, {"n", []string{"Open an incident"}}, {"esc", []string{"guichet check failing"}}})
	if ins, _ := st.Incidents(context.Background(), oncall.IncidentFilter{}); len(ins) != 2 {
		t.Fatalf("%d incidents, want 2", len(ins))
	}
}

// x asks for the command (/bin/sh by default, editable), then confirms,
// then runs it through the Actor with the TUI suspended; the exit code
// shows when it is back, and the session is recorded.
func TestExecAsksThenRuns(t *testing.T) {
	actor := fixture.NewActor()
	tm, st := newActingModel(t, actor, false)
	tm.wait("service guichet")
	walk(t, tm, []step{
		{"4", []string{"guichet"}}, {"G", []string{"3/3"}},
		{"enter", []string{"job guichet"}},
		{"enter", []string{"7c1e2b3a", "Recent task events"}},
		{"x", []string{"command to run in task web: /bin/sh"}},
	})
	tm.Send(ctrl('u'))
	walk(t, tm, []step{{"enter", []string{"type a command (/bin/sh)"}}})
	press(tm, strings.Split("echo hi", "")...)
	walk(t, tm, []step{
		{"enter", []string{"exec echo hi in task web of allocation 7c1e2b3a of guichet on lyon? type y"}},
		{"y", []string{"exec echo hi in task web of allocation 7c1e2b3a of guichet on lyon: exit code 0", "#1's"}},
	})
	if got := actor.Execs(); len(got) != 1 || !slices.Equal(got[0], []string{fixture.GuichetAlloc, "web", "echo", "hi"}) {
		t.Fatalf("execs = %q", got)
	}
	es, _ := st.Entries(context.Background(), 1)
	if last := es[len(es)-1]; last.Kind != oncall.KindAction || !strings.Contains(last.Text, "exec echo hi in task web") {
		t.Errorf("last entry of #1: %+v", last)
	}
}
