package incidents

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"codeberg.org/entretien/entretien/internal/screentest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
	"codeberg.org/entretien/entretien/views/common"
)

func setup(t *testing.T, meErr error) (oncall.Store, *screentest.Harness, *teatest.TestModel, oncall.Incident) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "e.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	me, err := st.AddMember(ctx, oncall.Member{Handle: "amelie", Name: "Amélie", TZ: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddMember(ctx, oncall.Member{Handle: "lucas", Name: "Lucas", TZ: "Europe/Paris"}); err != nil {
		t.Fatal(err)
	}
	old, _ := st.OpenIncident(ctx, "lucas", oncall.NewIncident{Title: "old and resolved", Severity: 3})
	st.SetStatus(ctx, old.ID, "lucas", oncall.StatusResolved)
	inc, err := st.OpenIncident(ctx, "lucas", oncall.NewIncident{Title: "garage down in paris", Severity: 2, Affects: []string{"job/garage"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddEntry(ctx, inc.ID, "lucas", oncall.KindObservation, "disk at 100% \x1b]0;pwned\x07\x1b[2J"); err != nil {
		t.Fatal(err)
	}
	o := screentest.Options{Store: st, Me: me, Width: 110, Height: 30, Follow: true}
	if meErr != nil {
		o.Me, o.MeErr = oncall.Member{}, meErr
	}
	h := screentest.Start(t, o, func(c *common.Context) common.Screen { return New(c) })
	return st, h, h.TestModel, inc
}

func press(s string) tea.KeyPressMsg { return screentest.Key(s) }

func TestIncidentScreenJournalRolesAndLiveUpdates(t *testing.T) {
	ctx := context.Background()
	st, h, tm, inc := setup(t, nil)

	// The list: open incidents first, the selected one previewed.
	f := h.Wait(t, "garage down in paris", "old and resolved", "disk at 100%")
	if strings.Index(f, "garage down") > strings.Index(f, "old and resolved") {
		t.Fatalf("open incident not listed first:\n%s", f)
	}
	tm.Send(press("enter"))
	h.Wait(t, "#2 garage down in paris", "sev2", "lead —", "disk at 100%")

	// Write: q and 3 type into the box instead of quitting or switching.
	tm.Send(press("i"))
	h.WaitCapturing(t, true)
	tm.Send(press("tab")) // observation -> action
	tm.Type("q3 restarted garage")
	tm.Send(press("enter"))
	h.Wait(t, "posted #", "q3 restarted garage")
	es, _ := st.Entries(ctx, inc.ID)
	last := es[len(es)-1]
	if last.Text != "q3 restarted garage" || last.Author != "amelie" || last.Kind != oncall.KindAction {
		t.Fatalf("posted entry %+v", last)
	}

	// An empty post is refused with the reason; the box stays open.
	tm.Send(press("enter"))
	h.Wait(t, "not posted", "must not be empty")

	// Another member writes from another process: shown without a key.
	other, err := sqlite.Open(ctx, st.Describe())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.AddEntry(ctx, inc.ID, "lucas", oncall.KindQuestion, "is the uplink fine?"); err != nil {
		t.Fatal(err)
	}
	h.Wait(t, "is the uplink fine?")

	// Leave the box, acknowledge, take the lead.
	tm.Send(press("esc"))
	h.WaitCapturing(t, false)
	tm.Send(press("a"))
	h.Wait(t, "open → acknowledged", "acknowledged")
	tm.Send(press("l"))
	h.Wait(t, "took lead", "lead amelie")
	// Out of order: refused, said, nothing written.
	n := len(mustEntries(t, st, inc.ID))
	tm.Send(press("a"))
	h.Wait(t, "acknowledged refused", "only moves forward")
	if got := len(mustEntries(t, st, inc.ID)); got != n {
		t.Fatalf("a refused status change wrote %d entries", got-n)
	}
	// lucas takes the lead over from another process.
	st2 := other
	if _, err := st2.TakeRole(ctx, inc.ID, "lucas", oncall.RoleLead, true); err != nil {
		t.Fatal(err)
	}
	h.Wait(t, "lead lucas", "left lead")

	// Nothing from the journal reaches the terminal unsanitised.
	if raw := h.Raw(); strings.Contains(raw, "\x1b]") || strings.Contains(raw, "\x07") || strings.Contains(raw, "\x1b[2J") {
		t.Fatalf("escape sequence drawn: %q", raw)
	}

	// The retro, then back.
	tm.Send(press("r"))
	h.Wait(t, "Retro of #2", "Key moments", "detected → acknowledged", "Contributing factors", "Care")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyPgDown}) // the care section and the timeline are below
	h.Wait(t, "noticed by lucas", "led by amelie, then lucas", "amelie: 2 entries", "while not on call", "Timeline", "took lead")
	tm.Send(press("esc"))
	h.Wait(t, "#2 garage down in paris", "is the uplink fine?")
	tm.Send(press("esc"))
	h.Wait(t, "old and resolved")
	tm.Send(press("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(3*time.Second))
}

func mustEntries(t *testing.T, st oncall.Store, id int64) []oncall.Entry {
	t.Helper()
	es, err := st.Entries(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestRetroScreenNotesAndActions(t *testing.T) {
	ctx := context.Background()
	st, h, tm, inc := setup(t, nil)
	st.SetStatus(ctx, inc.ID, "lucas", oncall.StatusResolved)
	h.Wait(t, "garage down in paris")
	tm.Send(press("r")) // retro of the selected incident, from the list: pushed on the incident
	h.Wait(t, "Retro of #2", "detected → resolved", "(f to add one")
	if c := h.Crumbs(); c != "incidents › #2 garage down in paris › retro" {
		t.Fatalf("breadcrumbs %q", c)
	}

	tm.Send(press("f"))
	h.WaitCapturing(t, true)
	tm.Type("no disk alert")
	tm.Send(press("enter"))
	h.Wait(t, "• no disk alert — amelie")
	tm.Send(press("f"))
	tm.Type("logs never rotated")
	tm.Send(press("enter"))
	h.Wait(t, "• logs never rotated")
	tm.Send(press("A"))
	tm.Type("rotate logs @lucas 2026-12-01")
	tm.Send(press("enter"))
	h.Wait(t, "open     rotate logs — lucas, 2026-12-01")
	tm.Send(press("x"))
	h.Wait(t, "doing    rotate logs")
	tm.Send(press("A"))
	tm.Type("bad owner @ghost")
	tm.Send(press("enter"))
	h.Wait(t, "refused", "ghost")

	notes, _ := st.RetroNotes(ctx, inc.ID)
	acts, _ := st.Actions(ctx, oncall.ActionFilter{IncidentID: inc.ID})
	if len(notes) != 2 || notes[1].Section != oncall.SectionFactor || len(acts) != 1 || acts[0].State != oncall.ActionDoing ||
		acts[0].Owner != "lucas" || acts[0].Due != "2026-12-01" || acts[0].Title != "rotate logs" {
		t.Fatalf("notes %+v actions %+v", notes, acts)
	}
	tm.Send(press("esc")) // leave the box (text kept)
	h.WaitCapturing(t, false)
	tm.Send(press("esc")) // back to the incident
	h.Wait(t, "open → resolved", "lead —")
	tm.Send(press("esc")) // back to the list
	h.Wait(t, "old and resolved")
}

func TestNotAMemberKeepsTheText(t *testing.T) {
	_, h, tm, _ := setup(t, errors.New(`OS user "x" is no member's account`))
	h.Wait(t, "garage down in paris")
	tm.Send(press("enter"))
	h.Wait(t, "#2 garage down", "lead —") // the incident's screen, not the list's preview
	tm.Send(press("i"))
	h.WaitCapturing(t, true)
	tm.Type("my note")
	tm.Send(press("enter"))
	h.Wait(t, "not posted", "no member's account", "my note")
}

// The list works as every list: a click selects a row (its preview shows),
// a click on the selected row opens the incident, / narrows it.
func TestListClicksAndFilter(t *testing.T) {
	_, h, tm, _ := setup(t, nil)
	f := h.Wait(t, "garage down in paris", "old and resolved", "disk at 100%")
	y := -1
	for i, l := range strings.Split(f, "\n") {
		if strings.Contains(l, "old and resolved") {
			y = i
			break
		}
	}
	click := func() { tm.Send(tea.MouseClickMsg{Button: tea.MouseLeft, X: 20, Y: y}) }
	click()
	h.Wait(t, "#1 old and resolved  opened by lucas")
	if c := h.Crumbs(); c != "incidents" {
		t.Fatalf("a first click opened the row: %q", c)
	}
	click()
	h.Wait(t, "#1 old and resolved", "lead —")
	if c := h.Crumbs(); c != "incidents › #1 old and resolved" {
		t.Fatalf("breadcrumbs %q", c)
	}
	tm.Send(press("esc"))
	h.Wait(t, "garage down in paris", "enter: open")
	h.Filter("garage")
	f = h.Wait(t, "#2 garage down in paris  opened by lucas", "disk at 100%") // its preview loaded for the filter
	if strings.Contains(f, "old and resolved") {
		t.Fatalf("filter kept a row without garage:\n%s", f)
	}
}
