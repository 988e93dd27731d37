package conformance

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// weeklyStore: members a, b, c, z; rotation primary (a, b, c weekly from
// Monday 23 March 10:00 Paris); clock on 20 March.
func weeklyStore(t *testing.T, open Opener) (oncall.Store, *clock) {
	t.Helper()
	st, c := openTemp(t, open)
	c.t = utc(2026, 3, 20, 12, 0)
	for _, h := range []string{"a", "b", "c", "z"} {
		mustMember(t, st, h, "Europe/Paris")
	}
	if _, err := st.CreateRotation(context.Background(), weekly()); err != nil {
		t.Fatal(err)
	}
	return st, c
}

func testRotaSwapProposeAndAccept(t *testing.T, open Opener) {
	ctx := context.Background()
	st, c := weeklyStore(t, open)
	// a gives week 1 to b and takes b's week 2.
	ovs, err := st.ProposeSwap(ctx, "a", oncall.SwapRequest{Rotation: "primary", With: "b",
		Mine: utc(2026, 3, 24, 0, 0), Theirs: utc(2026, 4, 1, 0, 0), Note: "holidays"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ovs) != 2 || ovs[0].SwapID == 0 || ovs[0].SwapID != ovs[1].SwapID {
		t.Fatalf("swap halves %+v", ovs)
	}
	if ovs[0].Covering != "b" || ovs[0].Covered != "a" || !ovs[0].Start.Equal(utc(2026, 3, 23, 9, 0)) || !ovs[0].End.Equal(utc(2026, 3, 30, 8, 0)) {
		t.Fatalf("first half %+v", ovs[0])
	}
	if ovs[1].Covering != "a" || ovs[1].Covered != "b" || !ovs[1].End.Equal(utc(2026, 4, 6, 8, 0)) {
		t.Fatalf("second half %+v", ovs[1])
	}
	// Not applied while proposed.
	ocs, _ := st.OnCallAt(ctx, utc(2026, 3, 25, 0, 0))
	if ocs[0].Now.Member != "a" {
		t.Fatalf("proposal applied before consent: %+v", ocs[0].Now)
	}
	waiting, err := st.AwaitingConsent(ctx, "b")
	if err != nil || len(waiting) != 2 {
		t.Fatalf("b awaits %v %v", waiting, err)
	}
	if w, _ := st.AwaitingConsent(ctx, "a"); len(w) != 0 {
		t.Fatalf("proposer awaits %+v", w)
	}
	// a cannot confirm their own proposal; z is no party.
	for _, who := range []string{"a", "z"} {
		if _, err := st.ConfirmOverride(ctx, who, ovs[0].ID); err == nil {
			t.Fatalf("%s confirmed", who)
		} else {
			wantValidation(t, err, "override.id")
		}
	}
	c.add(time.Hour)
	got, err := st.ConfirmOverride(ctx, "b", ovs[1].ID) // either half confirms both
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range got {
		if o.Status != oncall.Confirmed || !o.CoveredOK.Equal(c.t) && !o.CoveringOK.Equal(c.t) {
			t.Fatalf("after accept %+v", o)
		}
	}
	stored, _ := st.Override(ctx, ovs[0].ID)
	if stored.ProposedBy != "a" || !stored.ProposedAt.Equal(utc(2026, 3, 20, 12, 0)) || !stored.CoveringOK.Equal(c.t) ||
		!stored.CoveredOK.Equal(utc(2026, 3, 20, 12, 0)) || stored.Note != "holidays" {
		t.Fatalf("who did what and when: %+v", stored)
	}
	ocs, _ = st.OnCallAt(ctx, utc(2026, 3, 25, 0, 0))
	// Week 1: b as a's cover; week 2: a as b's cover, handoff at the usual time.
	if ocs[0].Now.Member != "b" || ocs[0].Now.Covers != "a" || !ocs[0].Now.End.Equal(utc(2026, 3, 30, 8, 0)) ||
		ocs[0].Next.Member != "a" || ocs[0].Next.Covers != "b" {
		t.Fatalf("after swap: %+v", ocs[0])
	}
	ocs, _ = st.OnCallAt(ctx, utc(2026, 4, 1, 0, 0))
	if ocs[0].Now.Member != "a" || ocs[0].Now.Covers != "b" {
		t.Fatalf("week 2 after swap: %+v", ocs[0].Now)
	}
	// Accepting twice is refused; withdrawing a confirmed future swap cancels both halves.
	if _, err := st.ConfirmOverride(ctx, "b", ovs[0].ID); err == nil {
		t.Fatal("confirmed twice")
	}
	if _, err := st.WithdrawOverride(ctx, "z", ovs[0].ID); err == nil {
		t.Fatal("a non-party cancelled")
	}
	w, err := st.WithdrawOverride(ctx, "b", ovs[0].ID)
	if err != nil || len(w) != 2 || w[0].Status != oncall.Cancelled || w[1].Status != oncall.Cancelled || w[0].ClosedBy != "b" {
		t.Fatalf("withdraw %+v %v", w, err)
	}
	ocs, _ = st.OnCallAt(ctx, utc(2026, 3, 25, 0, 0))
	if ocs[0].Now.Member != "a" {
		t.Fatalf("cancelled swap still applies: %+v", ocs[0].Now)
	}
}

func testOverrideProposalRules(t *testing.T, open Opener) {
	ctx := context.Background()
	st, c := weeklyStore(t, open)
	// A third party proposes: both parties must agree.
	o, err := st.ProposeOverride(ctx, "z", oncall.OverrideRequest{Rotation: "primary", Covering: "c", Covered: "a",
		Start: utc(2026, 3, 24, 0, 0), End: utc(2026, 3, 25, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if aw := o.AwaitingFrom(); len(aw) != 2 {
		t.Fatalf("awaiting %v", aw)
	}
	if got, _ := st.ConfirmOverride(ctx, "c", o.ID); got[0].Status != oncall.Proposed {
		t.Fatalf("one consent of two confirmed it: %+v", got[0])
	}
	// Declined by the other party.
	got, err := st.WithdrawOverride(ctx, "a", o.ID)
	if err != nil || got[0].Status != oncall.Declined || got[0].ClosedBy != "a" {
		t.Fatalf("decline %+v %v", got, err)
	}
	// A late consent moves the start to now; a consent after the end is refused.
	o2, err := st.ProposeOverride(ctx, "c", oncall.OverrideRequest{Rotation: "primary", Covering: "c", Covered: "a",
		Start: utc(2026, 3, 24, 0, 0), End: utc(2026, 3, 25, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	c.t = utc(2026, 3, 24, 6, 0)
	got, err = st.ConfirmOverride(ctx, "a", o2.ID)
	if err != nil || !got[0].Start.Equal(c.t) || got[0].Status != oncall.Confirmed {
		t.Fatalf("late consent %+v %v", got, err)
	}
	o3, err := st.ProposeOverride(ctx, "c", oncall.OverrideRequest{Rotation: "primary", Covering: "c", Covered: "a",
		Start: utc(2026, 3, 26, 0, 0), End: utc(2026, 3, 26, 6, 0)})
	if err != nil {
		t.Fatal(err)
	}
	c.t = utc(2026, 3, 27, 0, 0)
	if _, err := st.ConfirmOverride(ctx, "a", o3.ID); err == nil {
		t.Fatal("expired proposal confirmed")
	}
}

func testOverrideBadInputWritesNothing(t *testing.T, open Opener) {
	ctx := context.Background()
	st, c := weeklyStore(t, open)
	if _, err := st.ProposeOverride(ctx, "c", oncall.OverrideRequest{Rotation: "primary", Covering: "c", Covered: "a",
		Start: utc(2026, 3, 24, 0, 0), End: utc(2026, 3, 25, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddLeave(ctx, "b", oncall.Leave{Member: "b", Start: utc(2026, 3, 26, 0, 0), End: utc(2026, 3, 27, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	ok := func() oncall.OverrideRequest {
		return oncall.OverrideRequest{Rotation: "primary", Covering: "c", Covered: "a", Start: utc(2026, 3, 27, 0, 0), End: utc(2026, 3, 28, 0, 0)}
	}
	cases := []struct {
		name  string
		edit  func(*oncall.OverrideRequest)
		field string // "" = ErrNotFound
	}{
		{"unknown covering", func(r *oncall.OverrideRequest) { r.Covering = "zoe" }, ""},
		{"unknown covered", func(r *oncall.OverrideRequest) { r.Covered = "zoe" }, ""},
		{"unknown rotation", func(r *oncall.OverrideRequest) { r.Rotation = "nope" }, ""},
		{"self cover", func(r *oncall.OverrideRequest) { r.Covering = "a" }, "override.covering"},
		{"inverted", func(r *oncall.OverrideRequest) { r.Start, r.End = r.End, r.Start }, "override.to"},
		{"empty", func(r *oncall.OverrideRequest) { r.End = r.Start }, "override.to"},
		{"in the past", func(r *oncall.OverrideRequest) { r.Start = c.t.Add(-time.Hour) }, "override.from"},
		{"overlapping", func(r *oncall.OverrideRequest) { r.Start = utc(2026, 3, 24, 12, 0) }, "override.range"},
		{"covered not on call", func(r *oncall.OverrideRequest) { r.End = utc(2026, 3, 31, 0, 0) }, "override.covered"},
		{"before the rotation starts", func(r *oncall.OverrideRequest) { r.Start = utc(2026, 3, 21, 0, 0) }, "override.from"},
		{"covering on leave", func(r *oncall.OverrideRequest) { r.Covering = "b"; r.Start = utc(2026, 3, 26, 12, 0) }, "override.covering"},
		{"note with escape", func(r *oncall.OverrideRequest) { r.Note = "hi\x1b[2J" }, "override.note"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ok()
			tc.edit(&r)
			_, err := st.ProposeOverride(ctx, "c", r)
			if tc.field == "" {
				wantNotFound(t, err)
			} else {
				wantValidation(t, err, tc.field)
			}
			if n := count(t, st, "overrides"); n != 1 {
				t.Fatalf("%d overrides after a refused one", n)
			}
		})
	}
	// Swaps name shifts by an instant inside them.
	_, err := st.ProposeSwap(ctx, "a", oncall.SwapRequest{Rotation: "primary", With: "b", Mine: utc(2026, 4, 1, 0, 0), Theirs: utc(2026, 4, 1, 0, 0)})
	wantValidation(t, err, "swap.mine")
	_, err = st.ProposeSwap(ctx, "a", oncall.SwapRequest{Rotation: "primary", With: "b", Mine: utc(2026, 3, 28, 0, 0), Theirs: utc(2026, 4, 8, 0, 0)})
	wantValidation(t, err, "swap.theirs")
	if n := count(t, st, "overrides"); n != 1 {
		t.Fatalf("%d overrides after refused swaps", n)
	}
	var ve *oncall.ValidationError
	if !errors.As(err, &ve) || ve.Value == "" {
		t.Fatalf("error does not name the value: %v", err)
	}
}

// Any member may propose a swap between two others; both must confirm.
func testRotaSwapProposedByAThirdMember(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := weeklyStore(t, open)
	// z (not in the rotation) proposes that a and b trade weeks 1 and 2.
	ovs, err := st.ProposeSwap(ctx, "z", oncall.SwapRequest{Rotation: "primary", For: "a", With: "b",
		Mine: utc(2026, 3, 24, 0, 0), Theirs: utc(2026, 4, 1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if ovs[0].Covering != "b" || ovs[0].Covered != "a" || ovs[1].Covering != "a" || ovs[1].Covered != "b" || ovs[0].ProposedBy != "z" {
		t.Fatalf("halves %+v", ovs)
	}
	for _, who := range []string{"a", "b"} {
		if w, _ := st.AwaitingConsent(ctx, who); len(w) != 2 {
			t.Fatalf("%s awaits %d halves, want 2", who, len(w))
		}
	}
	got, err := st.ConfirmOverride(ctx, "a", ovs[1].ID)
	if err != nil || got[0].Status != oncall.Proposed || got[1].Status != oncall.Proposed {
		t.Fatalf("after a alone: %+v %v", got, err)
	}
	got, err = st.ConfirmOverride(ctx, "b", ovs[0].ID)
	if err != nil || got[0].Status != oncall.Confirmed || got[1].Status != oncall.Confirmed {
		t.Fatalf("after both: %+v %v", got, err)
	}
	if ocs, _ := st.OnCallAt(ctx, utc(2026, 3, 25, 0, 0)); ocs[0].Now.Member != "b" || ocs[0].Now.Covers != "a" {
		t.Fatalf("week 1 after the swap: %+v", ocs[0].Now)
	}
	// Refused: the same member twice, a shift that is not For's.
	_, err = st.ProposeSwap(ctx, "z", oncall.SwapRequest{Rotation: "primary", For: "c", With: "c", Mine: utc(2026, 4, 8, 0, 0), Theirs: utc(2026, 4, 8, 0, 0)})
	wantValidation(t, err, "swap.with")
	_, err = st.ProposeSwap(ctx, "z", oncall.SwapRequest{Rotation: "primary", For: "c", With: "a", Mine: utc(2026, 4, 15, 0, 0), Theirs: utc(2026, 4, 22, 0, 0)})
	wantValidation(t, err, "swap.mine")
	if err == nil || !strings.Contains(err.Error(), "c's shifts") {
		t.Errorf("error does not name whose shift: %v", err)
	}
}
