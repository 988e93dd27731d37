package incidents

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/theme"
)

// harness is the smallest root: it sizes the screen, polls the store's
// data version like tui does, keeps q for quitting unless the screen
// captures keys, and remembers the last frame for the test to read.
type harness struct {
	ctx  *common.Context
	scr  common.Screen
	ver  int64
	mu   sync.Mutex
	last string
	capt bool // Capturing() at the last frame
}

type pollMsg struct {
	v   int64
	err error
}

func (h *harness) poll() tea.Cmd {
	st := h.ctx.Store
	return tea.Tick(30*time.Millisecond, func(time.Time) tea.Msg {
		v, err := st.DataVersion(context.Background())
		return pollMsg{v, err}
	})
}

func (h *harness) Init() tea.Cmd { return tea.Batch(h.scr.Init(), h.poll()) }

func (h *harness) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		h.ctx.Width, h.ctx.Height = msg.Width, msg.Height-1
		return h, nil
	case pollMsg:
		cmds := []tea.Cmd{h.poll()}
		if msg.err == nil && msg.v != h.ver {
			first := h.ver == 0
			h.ver = msg.v
			if !first {
				h.scr, cmd = h.scr.Update(common.StoreChangedMsg{Now: time.Now()})
				cmds = append(cmds, cmd)
			}
		}
		return h, tea.Batch(cmds...)
	case tea.KeyPressMsg:
		if !h.scr.Capturing() && (msg.String() == "q" || msg.String() == "ctrl+c") {
			return h, tea.Quit
		}
	}
	h.scr, cmd = h.scr.Update(msg)
	return h, cmd
}

func (h *harness) View() tea.View {
	s := h.scr.View()
	h.mu.Lock()
	h.last, h.capt = s, h.scr.Capturing()
	h.mu.Unlock()
	return tea.NewView(s)
}

func (h *harness) frame() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// waitCapturing waits until the screen says it owns the keys.
func (h *harness) waitCapturing(t *testing.T, want bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		h.mu.Lock()
		c := h.capt
		h.mu.Unlock()
		if c == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Capturing() stayed %v", c)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitFrame waits until the last drawn frame holds every want.
func (h *harness) waitFrame(t *testing.T, wants ...string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		f := ansi.Strip(h.frame())
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(f, w)
		}
		if ok {
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("frame never showed %q:\n%s", wants, f)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func setup(t *testing.T, meErr error) (*oncall.Store, *harness, *teatest.TestModel, oncall.Incident) {
	t.Helper()
	ctx := context.Background()
	st, err := oncall.Open(ctx, filepath.Join(t.TempDir(), "e.db"))
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
	c := &common.Context{Styles: theme.New(true), Store: st, Me: me, Now: time.Now}
	if meErr != nil {
		c.Me, c.MeErr = oncall.Member{}, meErr
	}
	h := &harness{ctx: c, scr: New(c)}
	tm := teatest.NewTestModel(t, h, teatest.WithInitialTermSize(110, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII)))
	t.Cleanup(func() { tm.Quit() })
	return st, h, tm, inc
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func TestIncidentScreenJournalRolesAndLiveUpdates(t *testing.T) {
	ctx := context.Background()
	st, h, tm, inc := setup(t, nil)

	// The list: open incidents first, the selected one previewed.
	f := h.waitFrame(t, "garage down in paris", "old and resolved", "disk at 100%")
	if strings.Index(f, "garage down") > strings.Index(f, "old and resolved") {
		t.Fatalf("open incident not listed first:\n%s", f)
	}
	tm.Send(press("enter"))
	h.waitFrame(t, "#2 garage down in paris", "sev2", "lead —", "disk at 100%")

	// Write: q and 3 type into the box instead of quitting or switching.
	tm.Send(press("i"))
	h.waitCapturing(t, true)
	tm.Send(press("tab")) // observation -> action
	tm.Type("q3 restarted garage")
	tm.Send(press("enter"))
	h.waitFrame(t, "posted #", "q3 restarted garage")
	es, _ := st.Entries(ctx, inc.ID)
	last := es[len(es)-1]
	if last.Text != "q3 restarted garage" || last.Author != "amelie" || last.Kind != oncall.KindAction {
		t.Fatalf("posted entry %+v", last)
	}

	// An empty post is refused with the reason; the box stays open.
	tm.Send(press("enter"))
	h.waitFrame(t, "not posted", "must not be empty")

	// Another member writes from another process: shown without a key.
	other, err := oncall.Open(ctx, st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.AddEntry(ctx, inc.ID, "lucas", oncall.KindQuestion, "is the uplink fine?"); err != nil {
		t.Fatal(err)
	}
	h.waitFrame(t, "is the uplink fine?")

	// Leave the box, acknowledge, take the lead.
	tm.Send(press("esc"))
	h.waitCapturing(t, false)
	tm.Send(press("a"))
	h.waitFrame(t, "open → acknowledged", "acknowledged")
	tm.Send(press("l"))
	h.waitFrame(t, "took lead", "lead amelie")
	// Out of order: refused, said, nothing written.
	n := len(mustEntries(t, st, inc.ID))
	tm.Send(press("a"))
	h.waitFrame(t, "acknowledged refused", "only moves forward")
	if got := len(mustEntries(t, st, inc.ID)); got != n {
		t.Fatalf("a refused status change wrote %d entries", got-n)
	}
	// lucas takes the lead over from another process.
	st2 := other
	if _, err := st2.TakeRole(ctx, inc.ID, "lucas", oncall.RoleLead, true); err != nil {
		t.Fatal(err)
	}
	h.waitFrame(t, "lead lucas", "left lead")

	// Nothing from the journal reaches the terminal unsanitised.
	if raw := h.frame(); strings.Contains(raw, "\x1b]") || strings.Contains(raw, "\x07") || strings.Contains(raw, "\x1b[2J") {
		t.Fatalf("escape sequence drawn: %q", raw)
	}

	// The retro, then back.
	tm.Send(press("r"))
	h.waitFrame(t, "Retro of #2", "Key moments", "detected → acknowledged", "Contributing factors", "Care")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyPgDown}) // the care section and the timeline are below
	h.waitFrame(t, "noticed by lucas", "led by amelie, then lucas", "amelie: 2 entries", "while not on call", "Timeline", "took lead")
	tm.Send(press("esc"))
	h.waitFrame(t, "#2 garage down in paris", "is the uplink fine?")
	tm.Send(press("esc"))
	h.waitFrame(t, "old and resolved")
	tm.Send(press("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(3*time.Second))
}

func mustEntries(t *testing.T, st *oncall.Store, id int64) []oncall.Entry {
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
	h.waitFrame(t, "garage down in paris")
	tm.Send(press("r")) // retro of the selected incident, from the list
	h.waitFrame(t, "Retro of #2", "detected → resolved", "(f to add one")

	tm.Send(press("f"))
	h.waitCapturing(t, true)
	tm.Type("no disk alert")
	tm.Send(press("enter"))
	h.waitFrame(t, "• no disk alert — amelie")
	tm.Send(press("f"))
	tm.Type("logs never rotated")
	tm.Send(press("enter"))
	h.waitFrame(t, "• logs never rotated")
	tm.Send(press("A"))
	tm.Type("rotate logs @lucas 2026-12-01")
	tm.Send(press("enter"))
	h.waitFrame(t, "open     rotate logs — lucas, 2026-12-01")
	tm.Send(press("x"))
	h.waitFrame(t, "doing    rotate logs")
	tm.Send(press("A"))
	tm.Type("bad owner @ghost")
	tm.Send(press("enter"))
	h.waitFrame(t, "refused", "ghost")

	notes, _ := st.RetroNotes(ctx, inc.ID)
	acts, _ := st.Actions(ctx, oncall.ActionFilter{IncidentID: inc.ID})
	if len(notes) != 2 || notes[1].Section != oncall.SectionFactor || len(acts) != 1 || acts[0].State != oncall.ActionDoing ||
		acts[0].Owner != "lucas" || acts[0].Due != "2026-12-01" || acts[0].Title != "rotate logs" {
		t.Fatalf("notes %+v actions %+v", notes, acts)
	}
	tm.Send(press("esc")) // leave the box (text kept)
	tm.Send(press("esc")) // back to the list
	h.waitFrame(t, "old and resolved")
}

func TestNotAMemberKeepsTheText(t *testing.T) {
	_, h, tm, _ := setup(t, errors.New(`OS user "x" is no member's account`))
	h.waitFrame(t, "garage down in paris")
	tm.Send(press("enter"))
	h.waitFrame(t, "#2 garage down")
	tm.Send(press("i"))
	tm.Type("my note")
	tm.Send(press("enter"))
	h.waitFrame(t, "not posted", "no member's account", "my note")
}
