package paging

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// When a proposal opens, gets an objection or closes, the watcher holding
// the lease tells every other member who has a contact method, with a
// non-urgent message, once however many rounds and watchers; a concern is
// not news, and old events are not sent by a watcher started late.
func TestEngineTellsDecisions(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	for _, h := range []string{"amelie", "chloe", "dara", "lucas"} {
		if _, err := st.AddMember(ctx, oncall.Member{Handle: h, Name: h, TZ: "Europe/Paris"}); err != nil {
			t.Fatal(err)
		}
		if h == "dara" {
			continue // no contact method: the status line tells her
		}
		if _, err := st.AddContact(ctx, h, oncall.Contact{Method: "email", Target: h + "@example.org"}); err != nil {
			t.Fatal(err)
		}
	}
	old, err := st.OpenProposal(ctx, "amelie", oncall.NewProposal{Title: "old", Driver: "d", Text: "t", Affects: []string{"site/paris"}, ClosesAt: now.Add(30 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * DecisionWindow)
	rec := &recorder{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e1 := &Engine{Store: st, Deliver: rec, Holder: "w1", LeaseTTL: 15 * time.Second, AckVia: "ssh bastion", Log: log}
	e2 := &Engine{Store: st, Deliver: rec, Holder: "w2", LeaseTTL: 15 * time.Second, AckVia: "ssh bastion", Log: log}
	tick := func() {
		t.Helper()
		now = now.Add(time.Second)
		for _, e := range []*Engine{e1, e2, e1} {
			if err := e.Tick(ctx, nil, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	sent := func() []string {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		var out []string
		for _, m := range rec.sent {
			if !m.Quiet {
				t.Errorf("an urgent message about a decision: %+v", m)
			}
			out = append(out, m.Member+": "+m.Title)
		}
		rec.sent = nil
		sort.Strings(out)
		return out
	}
	tick()
	if got := sent(); len(got) != 0 {
		t.Fatalf("a watcher started late sent old news: %v", got)
	}
	p, err := st.OpenProposal(ctx, "lucas", oncall.NewProposal{Title: "move guichet to paris", Driver: "d", Text: "t", Affects: []string{"site/lyon"}})
	if err != nil {
		t.Fatal(err)
	}
	tick()
	tick()
	want := []string{"amelie: proposal #2 opened by lucas: move guichet to paris", "chloe: proposal #2 opened by lucas: move guichet to paris"}
	if got := sent(); !reflect.DeepEqual(got, want) {
		t.Fatalf("opened: %v, want %v", got, want)
	}
	if _, err := st.TakePosition(ctx, p.ID, "chloe", oncall.StanceConcern, "disk"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TakePosition(ctx, p.ID, "amelie", oncall.StanceObjection, "no backup in paris"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TakePosition(ctx, old.ID, "chloe", oncall.StanceObjection, "too old"); err != nil {
		t.Fatal(err)
	}
	tick()
	got := sent()
	want = []string{"amelie: objection to proposal #1 by chloe", "chloe: objection to proposal #2 by amelie",
		"lucas: objection to proposal #1 by chloe", "lucas: objection to proposal #2 by amelie"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("objections: %v, want %v", got, want)
	}
	// An amendment asks only those whose position it leaves behind.
	if _, err := st.Amend(ctx, p.ID, "lucas", "t, with a backup first"); err != nil {
		t.Fatal(err)
	}
	tick()
	want = []string{"amelie: proposal #2 amended by lucas: your objection was on version 1, confirm or change it",
		"chloe: proposal #2 amended by lucas: your concern was on version 1, confirm or change it"}
	if got := sent(); !reflect.DeepEqual(got, want) {
		t.Fatalf("amended: %v, want %v", got, want)
	}
	if _, err := st.Withdraw(ctx, p.ID, "lucas", "amelie is right"); err != nil {
		t.Fatal(err)
	}
	tick()
	rec.mu.Lock()
	m := rec.sent[0]
	rec.mu.Unlock()
	for _, w := range []string{"proposal #2 closed: withdrawn", "withdrawn: amelie is right", "read it: ssh bastion entretien proposal show 2"} {
		if !strings.Contains(m.Title+"\n"+m.Text, w) {
			t.Errorf("closing message lacks %q:\n%s\n%s", w, m.Title, m.Text)
		}
	}
	if got := sent(); len(got) != 2 {
		t.Fatalf("closed: %v", got)
	}
}
