package conformance

import (
	"context"
	"reflect"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

func testRecordAction(t *testing.T, open Opener) {
	ctx := context.Background()
	st, clk := openTemp(t, open)
	mustMember(t, st, "lucas", "Europe/Paris")
	mustMember(t, st, "chloe", "Europe/Brussels")
	garage, err := st.OpenIncident(ctx, "lucas", oncall.NewIncident{Title: "garage down in lyon", Severity: 2, Affects: []string{"job/garage", "site/lyon"}})
	if err != nil {
		t.Fatal(err)
	}
	paris, err := st.OpenIncident(ctx, "chloe", oncall.NewIncident{Title: "paris dark", Severity: 1, Affects: []string{"site/paris"}})
	if err != nil {
		t.Fatal(err)
	}
	old, err := st.OpenIncident(ctx, "chloe", oncall.NewIncident{Title: "an old garage outage", Severity: 3, Affects: []string{"job/garage"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetStatus(ctx, old.ID, "chloe", oncall.StatusResolved); err != nil {
		t.Fatal(err)
	}

	// An action touching the garage job in lyon goes to the garage incident
	// only: paris is not touched, the old one is resolved.
	clk.add(time.Minute)
	rec, err := st.RecordAction(ctx, oncall.ClusterAction{By: "chloe", What: "restart allocation 3f2a1b9c of garage on lyon",
		Touches: []string{"node/lyon-1", "job/garage", "site/lyon", "job/garage"}, OK: true, Outcome: "accepted, evaluation 9b2c41d0"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rec.Incidents(), []int64{garage.ID}) || rec.LogID != 0 {
		t.Fatalf("recorded %+v, want an entry in #%d only", rec, garage.ID)
	}
	es, err := st.Entries(ctx, garage.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := es[len(es)-1]
	if last.Kind != oncall.KindAction || last.Author != "chloe" || !last.At.Equal(clk.t) ||
		last.Text != "restart allocation 3f2a1b9c of garage on lyon: accepted, evaluation 9b2c41d0" {
		t.Errorf("journal entry %+v", last)
	}

	// A failed action touching two incidents is written in both, as failed.
	rec, err = st.RecordAction(ctx, oncall.ClusterAction{By: "lucas", What: "drain node paris-1", Touches: []string{"site/paris", "site/lyon"},
		OK: false, Outcome: "Permission denied"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rec.Incidents(), []int64{garage.ID, paris.ID}) {
		t.Fatalf("recorded in %v, want both incidents in progress", rec.Incidents())
	}
	if rec.Entries[1].Text != "drain node paris-1: failed: Permission denied" {
		t.Errorf("failed action's entry %q", rec.Entries[1].Text)
	}

	// Outside any incident: the action log, nothing in the journals.
	before := count(t, st, "entries")
	clk.add(time.Minute)
	rec, err = st.RecordAction(ctx, oncall.ClusterAction{By: "lucas", What: "mark node bxl-1 ineligible", Touches: []string{"node/bxl-1", "site/bruxelles"}, OK: true, Outcome: "accepted"})
	if err != nil || rec.LogID == 0 || len(rec.Entries) != 0 {
		t.Fatalf("recorded %+v, %v: want a log row", rec, err)
	}
	if n := count(t, st, "entries"); n != before {
		t.Errorf("entries %d → %d for an action outside incidents", before, n)
	}
	log, err := st.ClusterActions(ctx, t0, clk.t.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	want := []oncall.ClusterAction{{ID: rec.LogID, At: clk.t, By: "lucas", What: "mark node bxl-1 ineligible",
		Touches: []string{"node/bxl-1", "site/bruxelles"}, OK: true, Outcome: "accepted"}}
	if !reflect.DeepEqual(log, want) {
		t.Errorf("action log %+v\nwant %+v", log, want)
	}
	if log, _ := st.ClusterActions(ctx, clk.t.Add(time.Second), clk.t.Add(time.Hour)); len(log) != 0 {
		t.Errorf("action log after the range: %+v", log)
	}
}

func testRecordActionBadInput(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := openTemp(t, open)
	mustMember(t, st, "lucas", "Europe/Paris")
	_, err := st.RecordAction(ctx, oncall.ClusterAction{By: "lucas", What: "  "})
	wantValidation(t, err, "action.what")
	_, err = st.RecordAction(ctx, oncall.ClusterAction{By: "nobody", What: "restart allocation 1"})
	wantNotFound(t, err)
	if n := count(t, st, "cluster_actions"); n != 0 {
		t.Errorf("refused actions wrote %d rows", n)
	}
}
