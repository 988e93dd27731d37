package conformance

import (
	"context"
	"reflect"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// EntriesOf, RolesOf and RetroNotesOf give, per incident, what Entries,
// Roles and RetroNotes give one by one; nothing for an incident without
// any, or unknown.
func testJournalsOfManyIncidents(t *testing.T, open Opener) {
	ctx := context.Background()
	st, clk := openTemp(t, open)
	mustMember(t, st, "amelie", "Europe/Paris")
	mustMember(t, st, "lucas", "Europe/Paris")
	var ids []int64
	for i, title := range []string{"garage down", "backup late", "quiet one"} {
		clk.add(time.Minute)
		inc, err := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: title, Severity: 2})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, inc.ID)
		if i == 2 {
			continue // nothing written
		}
		clk.add(time.Minute)
		e, err := st.AddEntry(ctx, inc.ID, "lucas", oncall.KindObservation, "disk full on lyon-1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.AmendEntry(ctx, e.ID, "amelie", "disk full on lyon-2"); err != nil {
			t.Fatal(err)
		}
		tr := oncall.Transition{At: clk.t.Add(-time.Hour), Kind: "check", Subject: "service/garage", Site: "lyon", From: "passing", To: "critical", Key: title}
		if _, _, err := st.RecordTransition(ctx, inc.ID, tr, "watch@a"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.TakeRole(ctx, inc.ID, "lucas", oncall.RoleLead, false); err != nil {
			t.Fatal(err)
		}
		clk.add(time.Minute)
		if _, err := st.TakeRole(ctx, inc.ID, "amelie", oncall.RoleLead, true); err != nil {
			t.Fatal(err)
		}
		if err := st.SetStatus(ctx, inc.ID, "amelie", oncall.StatusResolved); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddRetroNote(ctx, inc.ID, "lucas", oncall.SectionFactor, "no alert on the disk"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddRetroNote(ctx, inc.ID, "amelie", oncall.SectionSummary, "the disk filled"); err != nil {
			t.Fatal(err)
		}
	}
	asked := append([]int64{999}, ids...)
	entries, err := st.EntriesOf(ctx, asked)
	if err != nil {
		t.Fatal(err)
	}
	roles, err := st.RolesOf(ctx, asked)
	if err != nil {
		t.Fatal(err)
	}
	notes, err := st.RetroNotesOf(ctx, asked)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		es, err := st.Entries(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := st.Roles(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		ns, err := st.RetroNotes(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if id != ids[2] && (len(es) < 4 || len(rs) != 2 || len(ns) != 2) {
			t.Fatalf("incident %d: %d entries, %d roles, %d notes written", id, len(es), len(rs), len(ns))
		}
		if !reflect.DeepEqual(entries[id], es) {
			t.Errorf("incident %d entries:\nof  %+v\none %+v", id, entries[id], es)
		}
		if !reflect.DeepEqual(roles[id], rs) {
			t.Errorf("incident %d roles:\nof  %+v\none %+v", id, roles[id], rs)
		}
		if !reflect.DeepEqual(notes[id], ns) {
			t.Errorf("incident %d retro notes:\nof  %+v\none %+v", id, notes[id], ns)
		}
	}
	// The quiet incident has nothing: no key, as for an unknown one.
	for _, id := range []int64{999, ids[2]} {
		_, e := entries[id]
		_, r := roles[id]
		_, n := notes[id]
		if e || r || n {
			t.Errorf("incident %d: a key in the bulk reads (entries %v, roles %v, notes %v)", id, e, r, n)
		}
	}
	none, err := st.EntriesOf(ctx, nil)
	if err != nil || len(none) != 0 {
		t.Fatalf("entries of no incident: %+v, %v", none, err)
	}
}
