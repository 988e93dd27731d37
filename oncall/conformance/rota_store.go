package conformance

import (
	"context"
	"reflect"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

func testCreateRotationAndOnCall(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := openTemp(t, open)
	for _, h := range []string{"a", "b", "c"} {
		mustMember(t, st, h, "Europe/Paris")
	}
	paris := zone(t, "Europe/Paris")

	// Start given mid-afternoon: only its date counts, stored at 10:00.
	in := weekly()
	in.Start = time.Date(2026, 3, 23, 15, 42, 0, 0, paris)
	r, err := st.CreateRotation(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID == 0 || !r.Start.Equal(utc(2026, 3, 23, 9, 0)) {
		t.Fatalf("created %+v", r)
	}
	night, err := st.CreateRotation(ctx, oncall.Rotation{Name: "nights", TZ: "Europe/Paris", ShiftCount: 12, ShiftUnit: oncall.Hours,
		Handoff: "07:00", Start: utc(2026, 3, 1, 19, 0), Participants: []string{"c", "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if night.Handoff != "" {
		t.Fatalf("hours rotation kept a handoff clock: %q", night.Handoff)
	}

	rs, err := st.Rotations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Name != "nights" || rs[1].Name != "primary" {
		t.Fatalf("Rotations = %+v", rs)
	}
	if !reflect.DeepEqual(rs[1], r) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", rs[1], r)
	}

	// Before primary starts: nobody on primary, a is next.
	ocs, err := st.OnCallAt(ctx, utc(2026, 3, 20, 12, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(ocs) != 2 || ocs[0].Rotation.Name != "nights" || ocs[1].Rotation.Name != "primary" {
		t.Fatalf("OnCallAt not one per rotation sorted by name: %+v", ocs)
	}
	p := ocs[1]
	if p.HasNow || p.Next.Member != "a" || !p.Next.Start.Equal(r.Start) {
		t.Fatalf("before start: %+v", p)
	}
	if !ocs[0].HasNow {
		t.Fatal("nights has started but HasNow is false")
	}

	// Sunday 29 March (after the clocks change), b takes over Monday 10:00 CEST.
	ocs, _ = st.OnCallAt(ctx, utc(2026, 3, 29, 12, 0))
	p = ocs[1]
	if !p.HasNow || p.Now.Member != "a" || p.Next.Member != "b" || !p.Now.End.Equal(utc(2026, 3, 30, 8, 0)) ||
		!p.Next.Start.Equal(p.Now.End) {
		t.Fatalf("on call 29 March: %+v", p)
	}
	// Single participant: next is the same person.
	if _, err := st.CreateRotation(ctx, oncall.Rotation{Name: "solo", TZ: "Asia/Tokyo", ShiftCount: 1, ShiftUnit: oncall.Days,
		Handoff: "09:00", Start: t0, Participants: []string{"b"}}); err != nil {
		t.Fatal(err)
	}
	ocs, _ = st.OnCallAt(ctx, t0.Add(48*time.Hour))
	if s := ocs[2]; s.Rotation.Name != "solo" || s.Now.Member != "b" || s.Next.Member != "b" {
		t.Fatalf("solo: %+v", s)
	}
}

func testCreateRotationRejects(t *testing.T, open Opener) {
	ctx := context.Background()
	st, _ := openTemp(t, open)
	mustMember(t, st, "a", "Europe/Paris")
	if _, err := st.CreateRotation(ctx, oncall.Rotation{Name: "taken", TZ: "UTC", ShiftCount: 1, ShiftUnit: oncall.Days,
		Handoff: "09:00", Start: t0, Participants: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	ok := func() oncall.Rotation {
		return oncall.Rotation{Name: "r", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: oncall.Weeks, Handoff: "10:00",
			Start: t0, Participants: []string{"a"}}
	}
	cases := []struct {
		name  string
		edit  func(*oncall.Rotation)
		field string // "" means ErrNotFound
	}{
		{"unknown member", func(r *oncall.Rotation) { r.Participants = []string{"a", "zoe"} }, ""},
		{"bad tz", func(r *oncall.Rotation) { r.TZ = "Europe/Pariss" }, "rotation.tz"},
		{"handoff 25:00", func(r *oncall.Rotation) { r.Handoff = "25:00" }, "rotation.handoff"},
		{"handoff 24:00", func(r *oncall.Rotation) { r.Handoff = "24:00" }, "rotation.handoff"},
		{"handoff 9:00", func(r *oncall.Rotation) { r.Handoff = "9:00" }, "rotation.handoff"},
		{"handoff missing for days", func(r *oncall.Rotation) { r.ShiftUnit = oncall.Days; r.Handoff = "" }, "rotation.handoff"},
		{"bad handoff for hours", func(r *oncall.Rotation) { r.ShiftUnit = oncall.Hours; r.Handoff = "10:75" }, "rotation.handoff"},
		{"empty participants", func(r *oncall.Rotation) { r.Participants = nil }, "rotation.participants"},
		{"count 0", func(r *oncall.Rotation) { r.ShiftCount = 0 }, "rotation.shift_count"},
		{"count negative", func(r *oncall.Rotation) { r.ShiftCount = -2 }, "rotation.shift_count"},
		{"unit months", func(r *oncall.Rotation) { r.ShiftUnit = "months" }, "rotation.shift_unit"},
		{"no start", func(r *oncall.Rotation) { r.Start = time.Time{} }, "rotation.start"},
		{"empty name", func(r *oncall.Rotation) { r.Name = "" }, "rotation.name"},
		{"duplicate name", func(r *oncall.Rotation) { r.Name = "taken" }, "rotation.name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ok()
			c.edit(&r)
			_, err := st.CreateRotation(ctx, r)
			if c.field == "" {
				wantNotFound(t, err)
			} else {
				wantValidation(t, err, c.field)
			}
			if n := count(t, st, "rotations"); n != 1 {
				t.Fatalf("%d rotations after refused create", n)
			}
			if n := count(t, st, "rotation_participants"); n != 1 {
				t.Fatalf("%d participants after refused create", n)
			}
		})
	}
}
