package rota

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"codeberg.org/entretien/entretien/internal/backends"
	"codeberg.org/entretien/entretien/internal/screentest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/views/common"
)

var testNow = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC) // Wednesday of amelie's week

// testStore: amelie and lucas alternate weekly on primary from Monday 23
// November 10:00 Paris; chloe is in no rotation.
func testStore(t *testing.T) oncall.Store { return testStoreOn(t, backends.SQLite()) }

func testStoreOn(t *testing.T, be backends.Backend) oncall.Store {
	t.Helper()
	ctx := context.Background()
	st := be.Open(t)
	st.SetClock(func() time.Time { return testNow })
	for _, h := range []string{"amelie", "lucas", "chloe"} {
		if _, err := st.AddMember(ctx, oncall.Member{Handle: h, Name: h, TZ: "Europe/Paris"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CreateRotation(ctx, oncall.Rotation{Name: "primary", TZ: "Europe/Paris", ShiftCount: 1, ShiftUnit: oncall.Weeks,
		Handoff: "10:00", Start: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), Participants: []string{"amelie", "lucas"}}); err != nil {
		t.Fatal(err)
	}
	return st
}

func startScreen(t *testing.T, st oncall.Store, me string) (*teatest.TestModel, *screentest.Harness) {
	t.Helper()
	m, err := st.Member(context.Background(), me)
	if err != nil {
		t.Fatal(err)
	}
	h := screentest.Start(t, screentest.Options{Store: st, Me: m, Now: func() time.Time { return testNow }, Width: 120, Height: 50},
		func(ctx *common.Context) common.Screen { return New(ctx) })
	return h.TestModel, h
}

// waitScreen waits until the frame on screen holds every want.
func waitScreen(t *testing.T, h *screentest.Harness, wants ...string) {
	t.Helper()
	h.Wait(t, wants...)
}

func press(code rune, mod tea.KeyMod) tea.KeyPressMsg { return tea.KeyPressMsg{Code: code, Mod: mod} }

var (
	enter    = press(tea.KeyEnter, 0)
	ctrlU    = press('u', tea.ModCtrl)
	ctrlS    = press('s', tea.ModCtrl)
	shiftTab = press(tea.KeyTab, tea.ModShift)
)

// On either backend: consent is the store's rule.
func TestSwapProposedAndAcceptedOnTheRotaScreen(t *testing.T) {
	backends.ForEach(t, testSwapProposedAndAcceptedOnTheRotaScreen)
}

func testSwapProposedAndAcceptedOnTheRotaScreen(t *testing.T, be backends.Backend) {
	ctx := context.Background()
	st := testStoreOn(t, be)

	// amelie proposes: her week for lucas's next one.
	tm, h := startScreen(t, st, "amelie")
	waitScreen(t, h, "primary", "now   amelie", "next  lucas", "coming shifts")
	tm.Type("s")
	waitScreen(t, h, "Propose a swap")
	tm.Send(enter) // rotation: prefilled "primary"
	tm.Send(enter) // member: prefilled amelie
	tm.Type("zoe")
	waitScreen(t, h, `with "zoe": no such member`)
	tm.Send(ctrlU)
	tm.Type("lucas")
	tm.Send(enter) // shift: prefilled inside amelie's week
	tm.Send(enter)
	tm.Type("2026-11-26 12:00") // wrong: still amelie's week
	tm.Send(enter)
	tm.Type("family weekend")
	tm.Send(enter) // last field: submit
	waitScreen(t, h, "refused:", "swap.theirs")
	if n, _ := st.AwaitingConsent(ctx, "lucas"); len(n) != 0 {
		t.Fatalf("a refused swap was written: %+v", n)
	}
	tm.Send(shiftTab)
	tm.Send(ctrlU)
	tm.Type("2026-12-02 12:00")
	tm.Send(ctrlS)
	// The form closed: the main view is back (h.s.Capturing() would race
	// with the program's goroutine; TestWithdrawFormCaptures checks it).
	waitScreen(t, h, "swap proposed", "waiting for lucas", "coming shifts")
	aw, err := st.AwaitingConsent(ctx, "lucas")
	if err != nil || len(aw) != 2 || aw[0].ProposedBy != "amelie" || aw[0].Note != "family weekend" {
		t.Fatalf("awaiting lucas: %+v %v", aw, err)
	}
	tm.Quit()

	// lucas sees it waiting for him and accepts it.
	tm2, h2 := startScreen(t, st, "lucas")
	waitScreen(t, h2, "Waiting for you", "swap from amelie on primary (family weekend)")
	tm2.Type("a")
	waitScreen(t, h2, "confirmed", "now   lucas covering amelie")
	ocs, err := st.OnCallAt(ctx, testNow.Add(time.Hour))
	if err != nil || ocs[0].Now.Member != "lucas" || ocs[0].Now.Covers != "amelie" {
		t.Fatalf("after accepting: %+v %v", ocs, err)
	}
	ocs, _ = st.OnCallAt(ctx, time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	if ocs[0].Now.Member != "amelie" || ocs[0].Now.Covers != "lucas" {
		t.Fatalf("lucas's week after the swap: %+v", ocs[0].Now)
	}
	if aw, _ := st.AwaitingConsent(ctx, "lucas"); len(aw) != 0 {
		t.Fatalf("still awaiting: %+v", aw)
	}
}

func TestLeaveNoteAndOverrideForms(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	tm, h := startScreen(t, st, "lucas")
	waitScreen(t, h, "now   amelie")
	// lucas is away during his own week: a leave conflict and a gap show.
	tm.Type("l")
	waitScreen(t, h, "Mark leave")
	tm.Send(enter) // member: lucas
	tm.Type("2026-12-03..2026-12-01")
	waitScreen(t, h, `when "2026-12-01": must be after when`)
	tm.Send(ctrlU)
	tm.Type("2026-12-01..2026-12-02")
	tm.Send(ctrlS)
	waitScreen(t, h, "leave #1 marked for lucas", "gap", "lucas on leave")
	if view := h.Frame(); !strings.Contains(view, "lucas         ·····#! !#####·") ||
		!strings.Contains(view, "gaps primary        ! !") {
		t.Fatalf("calendar does not mark the conflict:\n%s", view)
	}
	// A handoff note from lucas is refused: amelie holds the pager.
	tm.Type("n")
	waitScreen(t, h, "Handoff note")
	tm.Type("primary")
	waitScreen(t, h, `you are not on call on it now`)
	tm.Send(press(tea.KeyEscape, 0))
	// An override proposed by lucas to cover amelie tomorrow waits for her.
	tm.Type("o")
	waitScreen(t, h, "Add an override")
	tm.Send(enter)
	tm.Send(enter) // covering: lucas
	tm.Type("amelie")
	tm.Send(enter)
	tm.Type("2026-11-26 08:00")
	tm.Send(enter)
	tm.Type("+1d")
	tm.Send(ctrlS)
	waitScreen(t, h, "override #1 proposed, waiting for amelie", "proposed #1")
	o, err := st.Override(ctx, 1)
	if err != nil || o.Covering != "lucas" || o.Covered != "amelie" || o.Status != oncall.Proposed {
		t.Fatalf("override %+v %v", o, err)
	}
	ls, _ := st.Leaves(ctx, testNow, testNow.Add(30*24*time.Hour))
	if len(ls) != 1 || ls[0].CreatedBy != "lucas" {
		t.Fatalf("leave %+v", ls)
	}
}

// chloe proposes that lucas and amelie trade weeks: both must confirm.
// On either backend: consent is the store's rule.
func TestSwapProposedForTwoOtherMembers(t *testing.T) {
	backends.ForEach(t, testSwapProposedForTwoOtherMembers)
}

func testSwapProposedForTwoOtherMembers(t *testing.T, be backends.Backend) {
	ctx := context.Background()
	st := testStoreOn(t, be)
	tm, h := startScreen(t, st, "chloe")
	waitScreen(t, h, "now   amelie", "coming shifts")
	tm.Type("s")
	waitScreen(t, h, "Propose a swap")
	tm.Send(enter) // rotation: primary
	tm.Send(ctrlU)
	tm.Type("lucas")
	tm.Send(enter)
	tm.Type("lucas")
	waitScreen(t, h, `with "lucas": is also the member: a swap needs two members`)
	tm.Send(ctrlU)
	tm.Type("amelie")
	tm.Send(enter)
	tm.Send(ctrlU)
	tm.Type("2026-12-02 12:00") // lucas's week
	tm.Send(enter)
	tm.Type("2026-12-09 12:00") // amelie's next week
	tm.Send(ctrlS)
	waitScreen(t, h, "swap proposed (#1), waiting for", "amelie", "lucas", "coming shifts")
	for _, who := range []string{"amelie", "lucas"} {
		if aw, err := st.AwaitingConsent(ctx, who); err != nil || len(aw) != 2 || aw[0].ProposedBy != "chloe" {
			t.Fatalf("awaiting %s: %+v %v", who, aw, err)
		}
	}
}
