package common

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/sources"
)

// ListScreen is a Screen made of a List built from the snapshot: most
// cluster screens are one (wander's "page from data, not types"). A view
// package configures one; screens that need more (the outages board, logs)
// wrap it.
type ListScreen struct {
	Ctx *Context
	// Name is the title (tab label or breadcrumb).
	Name string
	// Build turns a snapshot into rows. It runs lazily, on the first frame
	// after the data changed, never for screens nobody looks at.
	Build func(s *sources.Snapshot) []Row
	// Head, optional, draws lines above the table (a summary, a detail
	// block); it gets the width and returns at most a few lines.
	Head func(s *sources.Snapshot, width int) string
	// Open, optional, is what enter does on a row: usually a Push.
	Open func(r Row) tea.Cmd
	// OpenHelp labels enter in the help ("open allocation").
	OpenHelp string
	// Actions, optional, are the screen's own keys on the selected row.
	Actions []Action
	// Empty is shown when there are no rows at all.
	Empty string
	// Prompt asks for and runs the screen's cluster actions.
	Prompt *Prompt

	List
	snap    *sources.Snapshot
	dirty   bool
	listTop int // line of the screen where the list's column header was last drawn
}

// Action is a screen-specific key on the selected row.
type Action struct {
	Binding key.Binding
	Run     func(r Row, ok bool) tea.Cmd
	// Kind marks a cluster action: absent when entretien is read-only,
	// marked in the help when the member's token may not do it.
	Kind ActionKind
	// NS is the namespace the action acts in on row r (nil: none, as
	// for nodes).
	NS func(r Row) string
}

// NewListScreen returns a screen showing cols; set Build and the rest on it.
func NewListScreen(ctx *Context, name string, cols ...Col) *ListScreen {
	return &ListScreen{Ctx: ctx, Name: name, List: NewList(cols...), dirty: true, Empty: "nothing here", Prompt: NewPrompt(ctx)}
}

func (s *ListScreen) Title() string   { return s.Name }
func (s *ListScreen) Capturing() bool { return s.Prompt.Open() }
func (s *ListScreen) Init() tea.Cmd {
	s.SetSite(s.Ctx.Site)
	return nil
}

// Snapshot is the last snapshot the screen got.
func (s *ListScreen) Snapshot() *sources.Snapshot { return s.snap }

// SetSnapshot gives the screen data (the root's SnapshotMsg does the same).
func (s *ListScreen) SetSnapshot(snap *sources.Snapshot) { s.snap, s.dirty = snap, true }

// Invalidate rebuilds the rows on the next frame (data Build reads changed).
func (s *ListScreen) Invalidate() { s.dirty = true }

func (s *ListScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	return s, s.Handle(msg)
}

// Handle is Update for screens that embed a ListScreen.
func (s *ListScreen) Handle(msg tea.Msg) tea.Cmd {
	if ok, cmd := s.Prompt.Update(msg); ok {
		return cmd
	}
	if _, mouse := msg.(tea.MouseMsg); mouse && s.Prompt.Open() {
		return nil // the row asked about stays the selected one
	}
	switch msg := msg.(type) {
	case SnapshotMsg:
		s.SetSnapshot(msg.Snap)
		return s.needPerms()
	case SiteMsg:
		s.SetSite(msg.Site)
	case tea.KeyPressMsg:
		if ok, cmd := s.Prompt.Key(msg); ok {
			return cmd
		}
		s.rebuild()
		r, ok := s.Selected()
		if key.Matches(msg, s.List.Keys.Open) && s.Open != nil {
			if ok {
				return s.Open(r)
			}
			return nil
		}
		for _, a := range s.Actions {
			if a.Kind != "" && !s.Ctx.CanAct() {
				continue // read-only: the key is inert
			}
			if key.Matches(msg, a.Binding) {
				return a.Run(r, ok)
			}
		}
		s.List.Update(msg)
	case tea.MouseWheelMsg:
		s.List.Update(msg)
	case tea.MouseClickMsg:
		// A click selects the row under it; a click on the selected row
		// opens it, like enter (terminals send no double clicks).
		if msg.Button != tea.MouseLeft {
			return nil
		}
		s.rebuild()
		before, had := s.Selected()
		if !s.List.Click(msg.Y - s.listTop - 1) {
			return nil
		}
		if r, ok := s.Selected(); ok && had && r.ID == before.ID && s.Open != nil {
			return s.Open(r)
		}
	}
	return nil
}

// needPerms asks Nomad once what the token may do, for each cluster
// action in each namespace of the snapshot. Not before Nomad's first
// answer: the namespaces are not known yet, and the probes would queue on
// the server beside the lists the first frame waits for (a Consul answer
// comes first and would send them).
func (s *ListScreen) needPerms() tea.Cmd {
	if !s.Ctx.CanAct() || s.snap == nil || s.snap.Nomad.Updated.IsZero() {
		return nil
	}
	var cmds []tea.Cmd
	for _, a := range s.Actions {
		if a.Kind == "" {
			continue
		}
		nss := []string{""}
		if a.NS != nil && len(s.snap.Namespaces()) > 0 {
			nss = s.snap.Namespaces()
		}
		for _, ns := range nss {
			cmds = append(cmds, s.Prompt.Need(a.Kind, ns))
		}
	}
	probes := tea.Batch(cmds...)
	if probes == nil {
		return nil
	}
	// The frame showing the snapshot goes out first (issue 17).
	return tea.Tick(permsAfter, func(time.Time) tea.Msg { return probes() })
}

// permsAfter delays the probes a snapshot asks for past the frame that
// draws it (120 FPS: under 9 ms).
const permsAfter = 30 * time.Millisecond

func (s *ListScreen) rebuild() {
	if !s.dirty || s.Build == nil {
		return
	}
	s.dirty = false
	if s.snap == nil {
		s.SetRows(nil)
		return
	}
	s.SetRows(s.Build(s.snap))
}

func (s *ListScreen) View() string {
	s.rebuild()
	st := s.Ctx.Styles
	w, h := s.Ctx.Width, s.Ctx.Height
	var b strings.Builder
	if s.snap == nil {
		return st.Muted.Render("waiting for Nomad and Consul…")
	}
	// Never let an empty list read as "all is well" when a backend did not
	// answer: say what is unknown first.
	warn, unknown := dataWarning(s.Ctx, s.snap)
	if warn != "" {
		b.WriteString(warn)
		b.WriteByte('\n')
		h -= strings.Count(warn, "\n") + 1
	}
	if s.Head != nil {
		if head := s.Head(s.snap, w); head != "" {
			b.WriteString(head)
			b.WriteByte('\n')
			h -= strings.Count(head, "\n") + 1
		}
	}
	switch {
	case s.Total() == 0 && unknown:
		b.WriteString(st.Stale.Render("no cluster data: the state of the cluster is unknown"))
		return b.String()
	case s.Total() == 0:
		b.WriteString(st.Muted.Render(s.Empty))
		return b.String()
	case s.Len() == 0:
		b.WriteString(st.Muted.Render(fmt.Sprintf("no match among %d (esc clears the filter%s)", s.Total(), siteHint(s.Ctx.Site))))
		return b.String()
	}
	prompt := s.Prompt.View(st, w)
	if prompt != "" {
		h -= strings.Count(prompt, "\n") + 1
	}
	s.listTop = strings.Count(b.String(), "\n")
	b.WriteString(s.List.View(st, w, h-1))
	b.WriteByte('\n')
	b.WriteString(st.Muted.Render(s.footer()))
	if prompt != "" {
		b.WriteString("\n" + prompt)
	}
	return b.String()
}

// dataWarning is one line per backend that is unreachable or stale, and
// whether some backend has never answered (so lists may be empty for want
// of data, not because nothing is there).
func dataWarning(ctx *Context, snap *sources.Snapshot) (string, bool) {
	st, now := ctx.Styles, ctx.Now()
	var lines []string
	unknown := false
	for _, b := range []struct {
		name string
		h    sources.Health
	}{{"nomad", snap.Nomad.Health}, {"consul", snap.Consul.Health}} {
		switch b.h.State() {
		case sources.Unreachable:
			unknown = true
			lines = append(lines, st.Crit.Render(b.name+" unreachable")+st.Muted.Render(": "+sanitize.Line(b.h.Err.Error())))
		case sources.StaleData:
			lines = append(lines, st.Stale.Render(fmt.Sprintf("%s stale, last data %s old", b.name, Ago(b.h.Age(now))))+st.Muted.Render(": "+sanitize.Line(b.h.Err.Error())))
		case sources.Connecting:
			unknown = true
		}
	}
	return strings.Join(lines, "\n"), unknown
}

func siteHint(site string) string {
	if site == "" {
		return ""
	}
	return ", :site all shows every site"
}

func (s *ListScreen) footer() string {
	f := fmt.Sprintf("%d/%d", s.cursor+1, s.Len())
	if s.Len() != s.Total() {
		f += fmt.Sprintf(" (of %d)", s.Total())
	}
	if s.Ctx.Site != "" {
		f += " · site " + sanitize.Line(s.Ctx.Site)
	}
	return f
}

func (s *ListScreen) ShortHelp() []key.Binding {
	out := []key.Binding{s.List.Keys.Up, s.List.Keys.Down}
	if s.Open != nil {
		out = append(out, s.enterBinding())
	}
	return out
}

func (s *ListScreen) FullHelp() [][]key.Binding {
	var own []key.Binding
	if s.Open != nil {
		own = append(own, s.enterBinding())
	}
	r, _ := s.Selected()
	for _, a := range s.Actions {
		if a.Kind == "" {
			own = append(own, a.Binding)
			continue
		}
		ns := ""
		if a.NS != nil {
			ns = a.NS(r)
		}
		own = append(own, s.Prompt.Binding(a.Binding, a.Kind, ns))
	}
	return [][]key.Binding{s.List.Keys.Bindings(), own}
}

func (s *ListScreen) enterBinding() key.Binding {
	label := s.OpenHelp
	if label == "" {
		label = "open"
	}
	return s.List.Keys.OpenAs(label)
}
