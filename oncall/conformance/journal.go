package conformance

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

func testRoleTiming(t *testing.T, open Opener) {
	ctx := context.Background()
	st, clk := openTemp(t, open)
	mustMember(t, st, "lucas", "Europe/Paris")
	mustMember(t, st, "chloe", "Europe/Brussels")
	mustMember(t, st, "dara", "America/Montreal")
	inc, err := st.OpenIncident(ctx, "lucas", oncall.NewIncident{Title: "garage down", Severity: 2, Affects: []string{"job/garage"}})
	if err != nil {
		t.Fatal(err)
	}

	clk.add(time.Minute)
	lead, err := st.TakeRole(ctx, inc.ID, "lucas", oncall.RoleLead, false)
	if err != nil || !lead.Taken.Equal(t0.Add(time.Minute)) || !lead.Held() {
		t.Fatalf("take lead: %+v, %v", lead, err)
	}
	// One lead at a time: refused without takeOver, and nothing written.
	clk.add(time.Minute)
	_, err = st.TakeRole(ctx, inc.ID, "chloe", oncall.RoleLead, false)
	wantValidation(t, err, "role")
	if !strings.Contains(err.Error(), "lucas is lead") {
		t.Fatalf("error does not say who holds lead: %v", err)
	}
	_, err = st.TakeRole(ctx, inc.ID, "lucas", oncall.RoleLead, false)
	wantValidation(t, err, "role")
	// Helpers are many.
	if _, err := st.TakeRole(ctx, inc.ID, "chloe", oncall.RoleHelper, false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TakeRole(ctx, inc.ID, "dara", oncall.RoleHelper, false); err != nil {
		t.Fatal(err)
	}
	clk.add(10 * time.Minute) // 09:12
	if _, err := st.TakeRole(ctx, inc.ID, "chloe", oncall.RoleLead, true); err != nil {
		t.Fatalf("take over: %v", err)
	}
	clk.add(5 * time.Minute) // 09:17
	left, err := st.LeaveRole(ctx, inc.ID, "dara", oncall.RoleHelper)
	if err != nil || !left.Left.Equal(t0.Add(17*time.Minute)) {
		t.Fatalf("leave: %+v, %v", left, err)
	}
	_, err = st.LeaveRole(ctx, inc.ID, "dara", oncall.RoleHelper)
	wantValidation(t, err, "role")
	_, err = st.TakeRole(ctx, inc.ID, "dara", "boss", false)
	wantValidation(t, err, "role")
	_, err = st.TakeRole(ctx, 999, "dara", oncall.RoleHelper, false)
	wantNotFound(t, err)
	_, err = st.TakeRole(ctx, inc.ID, "ghost", oncall.RoleHelper, false)
	wantNotFound(t, err)

	clk.add(3 * time.Minute) // 09:20: resolving ends every role still held
	if err := st.SetStatus(ctx, inc.ID, "chloe", oncall.StatusResolved); err != nil {
		t.Fatal(err)
	}
	_, err = st.TakeRole(ctx, inc.ID, "dara", oncall.RoleScribe, false)
	wantValidation(t, err, "role")

	roles, err := st.Roles(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	type span struct {
		who         string
		role        oncall.Role
		from, until time.Duration
	}
	var got []span
	for _, r := range roles {
		got = append(got, span{r.Member, r.Role, r.Taken.Sub(t0), r.Left.Sub(t0)})
	}
	want := []span{
		{"lucas", oncall.RoleLead, time.Minute, 12 * time.Minute},
		{"chloe", oncall.RoleHelper, 2 * time.Minute, 20 * time.Minute},
		{"dara", oncall.RoleHelper, 2 * time.Minute, 17 * time.Minute},
		{"chloe", oncall.RoleLead, 12 * time.Minute, 20 * time.Minute},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("role spans\n got %+v\nwant %+v", got, want)
	}
}

func testAmendmentsKeepBoth(t *testing.T, open Opener) {
	ctx := context.Background()
	st, clk := openTemp(t, open)
	mustMember(t, st, "amelie", "Europe/Paris")
	mustMember(t, st, "lucas", "Europe/Paris")
	inc, _ := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "x", Severity: 3})
	clk.add(time.Minute)
	orig, err := st.AddEntry(ctx, inc.ID, "amelie", oncall.KindDecision, "roll back to v41")
	if err != nil {
		t.Fatal(err)
	}
	clk.add(time.Minute)
	fix, err := st.AmendEntry(ctx, orig.ID, "lucas", "roll back to v40 (v41 had the same bug)")
	if err != nil {
		t.Fatal(err)
	}
	clk.add(time.Minute)
	fix2, err := st.AmendEntry(ctx, fix.ID, "amelie", "v40 confirmed")
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.AmendEntry(ctx, 999, "amelie", "nothing")
	wantNotFound(t, err)
	_, err = st.AmendEntry(ctx, orig.ID, "amelie", "  ")
	wantValidation(t, err, "entry.text")

	es, _ := st.Entries(ctx, inc.ID)
	if len(es) != 3 || es[0].Text != "roll back to v41" || es[1].Amends != orig.ID || es[2].Amends != fix.ID ||
		es[1].Author != "lucas" || es[2].ID != fix2.ID || es[1].Kind != oncall.KindDecision {
		t.Fatalf("journal after amendments: %+v", es)
	}
	// EntriesSince returns only what is new.
	since, err := st.EntriesSince(ctx, inc.ID, orig.ID)
	if err != nil || len(since) != 2 || since[0].ID != fix.ID {
		t.Fatalf("EntriesSince: %+v, %v", since, err)
	}
	tl := oncall.MergeTimeline(es, nil)
	if len(tl) != 3 || tl[1].Amends != orig.ID {
		t.Fatalf("timeline loses the amendment link: %+v", tl)
	}
}

func testRecordTransitionDedupAcrossProcesses(t *testing.T, open Opener) {
	ctx := context.Background()
	st, clk := openTemp(t, open)
	mustMember(t, st, "amelie", "Europe/Paris")
	inc, _ := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "guichet", Severity: 2, Affects: []string{"service/guichet"}})
	tr := oncall.Transition{At: t0.Add(-2 * time.Minute), Kind: "check", Subject: "service/guichet", Site: "lyon",
		From: "passing", To: "critical", Detail: "HTTP GET /health: 503 \x1b[31m", Key: "check:abc:critical:42"}

	// Several stores (as several processes would) record the same change at once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	recorded := 0
	for i := 0; i < 4; i++ {
		other := again(t, st)
		wg.Go(func() {
			_, ok, err := other.RecordTransition(ctx, inc.ID, tr, "watch@"+string(rune('a'+i)))
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				recorded++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if recorded != 1 {
		t.Fatalf("recorded %d times, want once", recorded)
	}
	caps, err := st.CapturedTransitions(ctx, inc.ID)
	if err != nil || len(caps) != 1 {
		t.Fatalf("captured: %+v, %v", caps, err)
	}
	c := caps[0]
	if c.Source != "consul" || !c.At.Equal(tr.At) || c.Detail != tr.Detail || !strings.HasPrefix(c.RecordedBy, "watch@") {
		t.Fatalf("captured row %+v", c)
	}
	es, _ := st.Entries(ctx, inc.ID)
	if len(es) != 1 || es[0].Kind != oncall.KindSystem || es[0].Author != "" || es[0].ID != c.EntryID || !es[0].At.Equal(tr.At) ||
		es[0].Text != "consul: check service/guichet passing → critical (lyon): HTTP GET /health: 503 \x1b[31m" {
		t.Fatalf("system entry %+v", es)
	}
	// A different key is a new transition; a resolved incident records nothing.
	tr2 := tr
	tr2.Key, tr2.From, tr2.To = "check:abc:passing:50", "critical", "passing"
	if _, ok, err := st.RecordTransition(ctx, inc.ID, tr2, "tui@amelie"); err != nil || !ok {
		t.Fatalf("second transition: %v %v", ok, err)
	}
	clk.add(time.Minute)
	if err := st.SetStatus(ctx, inc.ID, "amelie", oncall.StatusResolved); err != nil {
		t.Fatal(err)
	}
	tr3 := tr
	tr3.Key = "later"
	if _, ok, err := st.RecordTransition(ctx, inc.ID, tr3, "x"); err != nil || ok {
		t.Fatalf("recorded into a resolved incident: %v %v", ok, err)
	}
	_, _, err = st.RecordTransition(ctx, 999, tr3, "x")
	wantNotFound(t, err)
	_, _, err = st.RecordTransition(ctx, inc.ID, oncall.Transition{Subject: "job/x"}, "x")
	wantValidation(t, err, "transition.key")
	// Huge details are clipped, not refused.
	inc2, _ := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "y", Severity: 3})
	big := tr
	big.Detail = strings.Repeat("é", 10000)
	if _, ok, err := st.RecordTransition(ctx, inc2.ID, big, "x"); err != nil || !ok {
		t.Fatalf("big detail: %v %v", ok, err)
	}
}

func testActionsAndRetroNotes(t *testing.T, open Opener) {
	ctx := context.Background()
	st, clk := openTemp(t, open)
	mustMember(t, st, "amelie", "Europe/Paris")
	mustMember(t, st, "lucas", "Europe/Paris")
	inc, _ := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "x", Severity: 3})
	a, err := st.AddAction(ctx, inc.ID, "amelie", oncall.NewAction{Title: "alert on the lyon uplink", Owner: "lucas", Due: "2026-04-01"})
	if err != nil || a.State != oncall.ActionOpen || a.Owner != "lucas" {
		t.Fatalf("add action %+v %v", a, err)
	}
	b, err := st.AddAction(ctx, inc.ID, "lucas", oncall.NewAction{Title: "document the restore"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.AddAction(ctx, inc.ID, "lucas", oncall.NewAction{Title: "x", Due: "next week"})
	wantValidation(t, err, "action.due")
	_, err = st.AddAction(ctx, inc.ID, "lucas", oncall.NewAction{Title: "x", Owner: "ghost"})
	wantNotFound(t, err)
	_, err = st.AddAction(ctx, inc.ID, "lucas", oncall.NewAction{Title: ""})
	wantValidation(t, err, "action.title")
	clk.add(24 * time.Hour)
	owner := "amelie"
	got, err := st.UpdateAction(ctx, b.ID, "lucas", oncall.ActionDone, &owner, nil)
	if err != nil || got.State != oncall.ActionDone || got.Owner != "amelie" || !got.UpdatedAt.Equal(clk.t) {
		t.Fatalf("update %+v %v", got, err)
	}
	_, err = st.UpdateAction(ctx, b.ID, "lucas", "finished", nil, nil)
	wantValidation(t, err, "action.state")
	_, err = st.UpdateAction(ctx, 999, "lucas", oncall.ActionDone, nil, nil)
	wantNotFound(t, err)
	pending, err := st.Actions(ctx, oncall.ActionFilter{PendingOnly: true})
	if err != nil || len(pending) != 1 || pending[0].ID != a.ID {
		t.Fatalf("pending actions %+v %v", pending, err)
	}
	if n := count(t, st, "action_items"); n != 2 {
		t.Fatalf("%d action rows", n)
	}

	f1, err := st.AddRetroNote(ctx, inc.ID, "amelie", oncall.SectionFactor, "the uplink has no alert")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddRetroNote(ctx, inc.ID, "lucas", oncall.SectionFactor, "restore steps were only in lucas' head"); err != nil {
		t.Fatal(err)
	}
	_, err = st.AddRetroNote(ctx, inc.ID, "lucas", "blame", "x")
	wantValidation(t, err, "retro.section")
	_, err = st.AddRetroNote(ctx, inc.ID, "lucas", oncall.SectionWasHard, "")
	wantValidation(t, err, "entry.text")
	if err := st.RemoveRetroNote(ctx, f1.ID); err != nil {
		t.Fatal(err)
	}
	wantNotFound(t, st.RemoveRetroNote(ctx, f1.ID))
	notes, _ := st.RetroNotes(ctx, inc.ID)
	if len(notes) != 1 || notes[0].Author != "lucas" {
		t.Fatalf("notes %+v", notes)
	}
}

func testRetroAssembly(t *testing.T, open Opener) {
	ctx := context.Background()
	st, clk := openTemp(t, open)
	// t0 is Monday 2026-03-02 09:00 UTC. lucas is on call this week.
	mustMember(t, st, "lucas", "Europe/Paris")
	mustMember(t, st, "kenji", "Asia/Tokyo")
	if _, err := st.CreateRotation(ctx, oncall.Rotation{Name: "primary", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: oncall.Weeks,
		Handoff: "10:00", Start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Participants: []string{"lucas", "kenji"}}); err != nil {
		t.Fatal(err)
	}
	// kenji is on leave that day, and answers anyway.
	if _, err := st.AddLeave(ctx, "kenji", oncall.Leave{Member: "kenji", Start: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
		End: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), Reason: "family"}); err != nil {
		t.Fatal(err)
	}
	clk.t = time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC) // 15:00 Paris, 23:00 Tokyo
	inc, err := st.OpenIncident(ctx, "kenji", oncall.NewIncident{Title: "backup failing", Severity: 2, Affects: []string{"job/backup", "site/paris"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.RecordTransition(ctx, inc.ID, oncall.Transition{At: clk.t.Add(-3 * time.Minute), Kind: "alloc", Subject: "job/backup",
		Site: "paris", From: "running", To: "failed", Key: "k1"}, "watch@x"); err != nil {
		t.Fatal(err)
	}
	clk.add(2 * time.Minute)
	st.AddEntry(ctx, inc.ID, "kenji", oncall.KindObservation, "backup alloc failed three times")
	clk.add(3 * time.Minute)
	if err := st.SetStatus(ctx, inc.ID, "lucas", oncall.StatusAcknowledged); err != nil {
		t.Fatal(err)
	}
	st.TakeRole(ctx, inc.ID, "lucas", oncall.RoleLead, false)
	clk.add(20 * time.Minute)
	st.SetStatus(ctx, inc.ID, "lucas", oncall.StatusMitigated)
	clk.add(35 * time.Minute)
	st.SetStatus(ctx, inc.ID, "lucas", oncall.StatusResolved)
	st.AddRetroNote(ctx, inc.ID, "lucas", oncall.SectionFactor, "disk full")
	st.AddRetroNote(ctx, inc.ID, "kenji", oncall.SectionFactor, "no disk alert")
	st.AddRetroNote(ctx, inc.ID, "kenji", oncall.SectionImpact, "no backups for 6 hours")

	r, err := st.Retro(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range r.Moments {
		names = append(names, m.Name)
	}
	if want := []string{"first signal", "detected", "acknowledged", "mitigated", "resolved"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("moments %v", names)
	}
	wantPhases := []oncall.Phase{{From: "detected", To: "acknowledged", D: 5 * time.Minute}, {From: "acknowledged", To: "mitigated", D: 20 * time.Minute},
		{From: "mitigated", To: "resolved", D: 35 * time.Minute}, {From: "detected", To: "resolved", D: time.Hour}}
	if !reflect.DeepEqual(r.Phases, wantPhases) {
		t.Fatalf("phases %+v", r.Phases)
	}
	if r.ImpactFor != 25*time.Minute || !reflect.DeepEqual(r.ImpactSites, []string{"paris"}) || r.Ongoing {
		t.Fatalf("impact %v %v %v", r.ImpactFor, r.ImpactSites, r.Ongoing)
	}
	var kinds []string
	for _, it := range r.Timeline {
		kinds = append(kinds, it.Kind+":"+it.Text)
	}
	wantTL := []string{"system:nomad: alloc job/backup running → failed (paris)", "status:opened", "observation:backup alloc failed three times",
		"status:open → acknowledged", "role:took lead", "status:acknowledged → mitigated", "status:mitigated → resolved", "role:left lead"}
	if !reflect.DeepEqual(kinds, wantTL) {
		t.Fatalf("timeline\n got %q\nwant %q", kinds, wantTL)
	}
	if len(r.Factors) != 2 || len(r.Impact) != 1 {
		t.Fatalf("notes %+v %+v", r.Factors, r.Impact)
	}
	c := r.Care
	if c.NoticedBy != "kenji" || !reflect.DeepEqual(c.LedBy, []string{"lucas"}) || !reflect.DeepEqual(c.RetroBy, []string{"lucas", "kenji"}) ||
		!reflect.DeepEqual(c.JournalBy, []string{"kenji"}) || len(c.People) != 2 {
		t.Fatalf("care %+v", c)
	}
	k, l := c.People[0], c.People[1]
	// kenji worked at 23:00 and 23:02 Tokyo, off call; lucas in the Paris afternoon, on call.
	if k.Member != "kenji" || k.Night != 2 || k.OffCall != 2 || k.OnLeave != 2 || k.Entries != 1 || k.TZ != "Asia/Tokyo" {
		t.Fatalf("kenji's care row %+v", k)
	}
	if l.Member != "lucas" || l.Night != 0 || l.OffCall != 0 || l.OnLeave != 0 || l.Entries != 3 || len(l.Roles) != 1 {
		t.Fatalf("lucas' care row %+v", l)
	}
}
