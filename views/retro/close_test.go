package retro

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/theme"
)

// x on an item moves it on in the name of the member at the keyboard, who
// becomes its closer even if someone else owns it.
func TestCycleActionRecordsMeAsCloser(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var me oncall.Member
	for _, h := range []string{"amelie", "lucas"} {
		m, err := st.AddMember(ctx, oncall.Member{Handle: h, Name: h, TZ: "UTC"})
		if err != nil {
			t.Fatal(err)
		}
		if h == "amelie" {
			me = m
		}
	}
	inc, err := st.OpenIncident(ctx, "lucas", oncall.NewIncident{Title: "x", Severity: 3})
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.AddAction(ctx, inc.ID, "lucas", oncall.NewAction{Title: "disk alert", Owner: "lucas"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateAction(ctx, a.ID, "lucas", oncall.ActionDoing, nil, nil); err != nil {
		t.Fatal(err)
	}
	m := New(&common.Context{Store: st, Me: me}, inc.ID)
	s, _ := m.Update(m.Init()())
	_, cmd := s.Update(tea.KeyPressMsg{Code: 'x', Text: "x"})
	if cmd == nil {
		t.Fatal("x did nothing")
	}
	if done := cmd().(doneMsg); done.err != nil {
		t.Fatal(done.err)
	}
	got, err := st.Action(ctx, a.ID)
	if err != nil || got.State != oncall.ActionDone || got.ClosedBy != "amelie" {
		t.Fatalf("after x: %+v %v", got, err)
	}
}

// / narrows the retro's timeline to the items containing the query; the
// rest of the retro stays.
func TestFilterNarrowsTheTimeline(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	me, err := st.AddMember(ctx, oncall.Member{Handle: "amelie", Name: "amelie", TZ: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	inc, err := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "garage down", Severity: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"disk full on paris-1", "restarted garage"} {
		if _, err := st.AddEntry(ctx, inc.ID, "amelie", oncall.KindObservation, text); err != nil {
			t.Fatal(err)
		}
	}
	m := New(&common.Context{Styles: theme.New(true), Store: st, Me: me, Now: time.Now, Width: 100, Height: 200}, inc.ID)
	m.Update(m.Init()())
	if v := ansi.Strip(m.View()); !strings.Contains(v, "disk full") || !strings.Contains(v, "restarted garage") {
		t.Fatalf("timeline lacks the entries:\n%s", v)
	}
	m.SetFilter("DISK")
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "disk full on paris-1") || strings.Contains(v, "restarted garage") || !strings.Contains(v, "Contributing factors") {
		t.Fatalf("filtered retro:\n%s", v)
	}
	m.SetFilter("")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "restarted garage") {
		t.Fatalf("cleared filter:\n%s", v)
	}
}
