package rota

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/screentest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/theme"
)

func TestLeaveWithdrawnOnTheRotaScreen(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	mark := func(by, member string, from, to time.Time) int64 {
		t.Helper()
		l, err := st.AddLeave(ctx, by, oncall.Leave{Member: member, Start: from, End: to})
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	under := mark("lucas", "lucas", day(24), day(27))                                 // #1 under way (now is 25 Nov)
	upcoming := mark("amelie", "lucas", day(29), day(30))                             // #2 marked for lucas by amelie
	chloes := mark("chloe", "chloe", day(28), day(30))                                // #3 not lucas's
	later := mark("chloe", "chloe", day(1).AddDate(1, 0, 0), day(3).AddDate(1, 0, 0)) // #4 beyond the calendar

	tm, h := startScreen(t, st, "lucas")
	waitScreen(t, h, "Leave", "* #1 lucas", "* #2 lucas", ", marked by amelie", "  #3 chloe")
	tm.Type("L")
	waitScreen(t, h, "Withdraw leave", "#1 lucas Tue 24 Nov", "#2 lucas Sun 29 Nov", "› leave #      1")
	if strings.Contains(h.Frame(), "#3 chloe") {
		t.Fatalf("the form lists chloe's leave as lucas's:\n%s", h.Frame())
	}
	// chloe's leave, loaded here: refused while typing, nothing submitted.
	tm.Send(ctrlU)
	tm.Type("3")
	waitScreen(t, h, "leave #3 is chloe's, marked by chloe: not yours to withdraw")
	tm.Send(ctrlS)
	tm.Type("x")
	waitScreen(t, h, `leave # "3x": not a positive number`)
	// chloe's later leave is not loaded: the store refuses it.
	tm.Send(ctrlU)
	tm.Type("4")
	tm.Send(enter) // the only field: submit
	waitScreen(t, h, "refused:", "lucas is neither the member on leave (chloe) nor who marked it (chloe)")
	for _, id := range []int64{chloes, later} {
		if _, err := st.Leave(ctx, id); err != nil {
			t.Fatalf("chloe's leave #%d after refusals: %v", id, err)
		}
	}
	// The one amelie marked for him: withdrawn.
	tm.Send(ctrlU)
	tm.Type("2")
	tm.Send(ctrlS)
	waitScreen(t, h, "leave #2 withdrawn", "coming shifts") // the form closed
	if _, err := st.Leave(ctx, upcoming); err == nil {
		t.Fatal("leave #2 still stored")
	}
	waitGone(t, h, "#2 lucas") // the reload after the write drops it
	waitScreen(t, h, "* #1 lucas")
	// His own, under way: it ends now, and the form was prefilled with it.
	tm.Type("L")
	waitScreen(t, h, "› leave #      1")
	tm.Send(press(tea.KeyEnter, 0))
	waitScreen(t, h, "leave #1 of lucas was under way: it now ends Wed 25 Nov 15:00 CET")
	l, err := st.Leave(ctx, under)
	if err != nil || !l.End.Equal(testNow) || !l.Start.Equal(day(24)) {
		t.Fatalf("leave #1 after withdrawing it under way: %+v %v", l, err)
	}
	// Nothing of his left: the form says so and starts empty.
	waitGone(t, h, "* #1 lucas") // reloaded: #1 is over
	tm.Type("L")
	waitScreen(t, h, "none of yours in the coming 28 days")
	tm.Send(press(tea.KeyEscape, 0))
	waitScreen(t, h, "coming shifts")
}

// Capturing is read by the root between keys; checked here without a
// running program (reading the model from the test goroutine would race).
func TestWithdrawFormCaptures(t *testing.T) {
	st := testStore(t)
	m, err := st.Member(context.Background(), "lucas")
	if err != nil {
		t.Fatal(err)
	}
	s := New(&common.Context{Styles: theme.New(true), Store: st, Me: m, Now: func() time.Time { return testNow }})
	scr, _ := s.Update(tea.KeyPressMsg{Code: 'L', Text: "L"})
	if !scr.Capturing() || !strings.Contains(ansi.Strip(scr.View()), "Withdraw leave") {
		t.Fatalf("L does not open a capturing form:\n%s", scr.View())
	}
	scr, _ = scr.Update(press(tea.KeyEscape, 0))
	if scr.Capturing() {
		t.Fatal("still capturing after esc")
	}
}

// waitGone waits until the frame on screen no longer holds gone.
func waitGone(t *testing.T, h *screentest.Harness, gone string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); strings.Contains(h.Frame(), gone); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%q still on screen after 5s:\n%s", gone, h.Frame())
		}
	}
}

func TestAvailabilitySetOnTheRotaScreen(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	if err := st.SetAvailability(ctx, "chloe", []oncall.Window{{Days: 0x41, Start: "00:00", End: "00:00"}}); err != nil {
		t.Fatal(err)
	}
	tm, h := startScreen(t, st, "lucas")
	waitScreen(t, h, "Reachable", "chloe      weekends", "any time: amelie, lucas")
	tm.Type("v")
	waitScreen(t, h, "When can you be reached? On your own clock (Europe/Paris)")
	tm.Type("nights")
	waitScreen(t, h, `unknown days "nights"`)
	tm.Send(ctrlS)
	waitScreen(t, h, `unknown days "nights"`) // refused, the form stays
	if av, _ := st.Availability(ctx); len(av["lucas"]) != 0 {
		t.Fatalf("a refused form wrote %v", av["lucas"])
	}
	tm.Send(ctrlU)
	tm.Type("daily 08:00-22:00; sat,sun")
	tm.Send(enter)
	waitScreen(t, h, "you can now be reached: daily 08:00-22:00; weekends", "lucas      daily 08:00-22:00; weekends")
	av, err := st.Availability(ctx)
	if err != nil || len(av["lucas"]) != 2 || av["lucas"][0].Start != "08:00" || av["lucas"][1].Days != 0x41 {
		t.Fatalf("lucas's windows stored: %+v %v", av["lucas"], err)
	}
	// Prefilled with what is stored; emptied: any time again.
	tm.Type("v")
	waitScreen(t, h, "daily 08:00-22:00; weekends")
	tm.Send(ctrlU)
	tm.Send(enter)
	waitScreen(t, h, "you can now be reached any time", "any time: amelie, lucas")
	if av, _ := st.Availability(ctx); len(av["lucas"]) != 0 || len(av["chloe"]) != 1 {
		t.Fatalf("after emptying lucas's: %+v", av)
	}
}
