package incidents

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/incidents/entrybox"
	"codeberg.org/entretien/entretien/views/retro"
)

// writable are the kinds a member picks with tab in the entry box.
var writable = []oncall.EntryKind{oncall.KindObservation, oncall.KindAction, oncall.KindDecision, oncall.KindQuestion, oncall.KindHandoff}

// Incident is the screen of one incident: header, live timeline (a list:
// / filters it, enter or a click on the selected row reads an entry whole),
// entry box. r opens its retro on top.
type Incident struct {
	ctx      *common.Context
	keys     KeyMap
	id       int64
	timeline common.List

	loaded  bool
	inc     oncall.Incident
	entries []oncall.Entry
	seen    map[int64]bool
	lastID  int64 // highest entry ID loaded: reloads fetch only what is newer
	roles   []oncall.RoleSpan
	loadErr error

	input   entrybox.Model
	kind    int
	posting bool
	// note is the outcome of the last post or action, shown above the box.
	note    string
	noteErr bool
}

type (
	detailLoadMsg struct {
		id      int64
		inc     oncall.Incident
		entries []oncall.Entry
		roles   []oncall.RoleSpan
		err     error
	}
	postedMsg struct {
		id    int64
		entry oncall.Entry
		err   error
	}
	actionMsg struct {
		id   int64
		what string
		err  error
	}
)

// NewIncident is the screen of incident id, to push on any stack (the
// journal, an outage's INCIDENT column).
func NewIncident(ctx *common.Context, id int64) *Incident {
	in := entrybox.New()
	in.Prompt = "> "
	in.Placeholder = "what do you see, do, decide? (enter posts)"
	// The store caps entries in bytes; runes are at most 4 bytes, and a
	// longer text is refused with the reason, never cut silently.
	in.Limit = oncall.MaxEntryBytes // typing or pasting past it is cut, and the box says so
	tl := common.NewList(common.Col{Title: "TIME", Min: 5}, common.Col{Title: "WHO", Min: 8}, common.Col{Title: "KIND", Min: 11},
		common.Col{Title: "#", Min: 4}, common.Col{Title: "TEXT", Min: 10, Flex: true})
	// s and S are the scribe role here, not sorting: a timeline is in time order.
	tl.Keys.Sort, tl.Keys.Reverse = key.NewBinding(key.WithDisabled()), key.NewBinding(key.WithDisabled())
	return &Incident{ctx: ctx, keys: DefaultKeyMap(), id: id, timeline: tl, seen: map[int64]bool{}, input: in}
}

// WithNote shows text above the entry box until the next key (why this
// incident was opened: "job backup is already in #2").
func (d *Incident) WithNote(text string) *Incident {
	d.note, d.noteErr = text, false
	return d
}

// Title is the breadcrumb: "#2 garage down" once loaded.
func (d *Incident) Title() string {
	if !d.loaded {
		return fmt.Sprintf("#%d", d.id)
	}
	return fmt.Sprintf("#%d %s", d.id, d.inc.Title)
}

// Capturing is true while the entry box has focus, so q, tab and 1-9 type
// into it.
func (d *Incident) Capturing() bool { return d.input.Focused() }

func (d *Incident) Init() tea.Cmd { return d.reload() }

// SetFilter narrows the timeline to the entries containing q.
func (d *Incident) SetFilter(q string) { d.timeline.SetFilter(q) }

func (d *Incident) ShortHelp() []key.Binding {
	if d.input.Focused() {
		return []key.Binding{d.keys.Post, d.keys.Kind, d.keys.Cancel}
	}
	return []key.Binding{d.keys.Write, d.keys.Ack, d.keys.Lead, d.keys.Retro, d.keys.Back}
}

func (d *Incident) FullHelp() [][]key.Binding {
	k := d.keys
	// Two columns, so the root's (esc, / and the global keys) fits beside
	// them in 100 columns.
	return [][]key.Binding{
		append([]key.Binding{k.Write, k.Post, k.Kind, k.Cancel, k.OpenAs("read the entry"), k.Retro}, k.Moves()...),
		{k.Ack, k.Mitigate, k.Resolve, k.Review, k.Lead, k.TakeOver, k.Scribe, k.Helper},
	}
}

// reload fetches the incident, entries newer than lastID and the roles:
// cheap enough to run on every store change (each second at most).
func (d *Incident) reload() tea.Cmd {
	st, id, after := d.ctx.Store, d.id, d.lastID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		msg := detailLoadMsg{id: id}
		if msg.inc, msg.err = st.Incident(ctx, id); msg.err != nil {
			return msg
		}
		if msg.entries, msg.err = st.EntriesSince(ctx, id, after); msg.err != nil {
			return msg
		}
		msg.roles, msg.err = st.Roles(ctx, id)
		return msg
	}
}

func (d *Incident) add(es ...oncall.Entry) {
	for _, e := range es {
		if d.seen[e.ID] {
			continue
		}
		d.seen[e.ID] = true
		d.lastID = max(d.lastID, e.ID)
		// Keep time order: captured transitions carry the cluster's time,
		// which may be before entries already shown.
		i := len(d.entries)
		for i > 0 && d.entries[i-1].At.After(e.At) {
			i--
		}
		d.entries = append(d.entries, oncall.Entry{})
		copy(d.entries[i+1:], d.entries[i:])
		d.entries[i] = e
	}
	d.rebuild()
}

// rebuild turns entries and role changes into timeline rows; the cursor
// follows new rows while it is on the last one.
func (d *Incident) rebuild() {
	follow := d.timeline.AtLast()
	loc := common.Location(d.ctx.Me.TZ)
	items := oncall.MergeTimeline(d.entries, d.roles)
	rows := make([]common.Row, len(items))
	for i, it := range items {
		who, ref, id := it.Who, "", fmt.Sprintf("role/%d/%s/%s", it.At.UnixNano(), it.Who, it.Text)
		if who == "" {
			who = "cluster"
		}
		if it.EntryID != 0 {
			ref, id = fmt.Sprintf("#%d", it.EntryID), fmt.Sprintf("entry/%d", it.EntryID)
		}
		text := it.Text
		if it.Amends != 0 {
			text = fmt.Sprintf("(amends #%d) %s", it.Amends, text)
		}
		kind := common.Plain
		switch it.Kind {
		case string(oncall.KindSystem):
			kind = common.Info
		case string(oncall.KindStatus), "role":
			kind = common.Bold
		}
		rows[i] = common.Row{ID: id, Data: it, Cells: []common.Spec{
			{Text: it.At.In(loc).Format("15:04"), Kind: common.Muted}, {Text: who, Kind: common.Muted},
			{Text: it.Kind, Kind: common.Muted}, {Text: ref, Kind: common.Muted}, {Text: text, Kind: kind},
		}}
	}
	d.timeline.SetRows(rows)
	if follow {
		d.timeline.SelectLast()
	}
}

// read opens the selected timeline item whole, wrapped, in a text screen.
func (d *Incident) read() tea.Cmd {
	r, ok := d.timeline.Selected()
	if !ok {
		return nil
	}
	it := r.Data.(oncall.TimelineItem)
	who := it.Who
	if who == "" {
		who = "the cluster"
	}
	title := it.Kind
	if it.EntryID != 0 {
		title = fmt.Sprintf("#%d %s", it.EntryID, it.Kind)
	}
	text := it.Text
	if it.Amends != 0 {
		text = fmt.Sprintf("(amends #%d) %s", it.Amends, text)
	}
	head := fmt.Sprintf("%s by %s, %s\n\n", it.Kind, who, it.At.In(common.Location(d.ctx.Me.TZ)).Format("Mon 2 Jan 2006 15:04"))
	body := ansi.Wrap(sanitize.Text(text), max(d.ctx.Width, 20), " ")
	return common.Push(common.NewTextScreen(d.ctx, title, head+body))
}

func (d *Incident) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	return d, d.update(msg)
}

func (d *Incident) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.StoreChangedMsg:
		return d.reload()
	case detailLoadMsg:
		if msg.id != d.id {
			return nil
		}
		d.loadErr = msg.err
		if msg.err == nil {
			d.loaded = true
			d.inc, d.roles = msg.inc, msg.roles
			d.add(msg.entries...)
		}
		return nil
	case tea.MouseWheelMsg:
		d.timeline.Update(msg)
		return nil
	case tea.MouseClickMsg:
		// As in every list: a click selects a row, a click on the selected
		// one opens it. Rows start under the two header lines and the
		// column header.
		if msg.Button != tea.MouseLeft || d.input.Focused() {
			return nil
		}
		before, had := d.timeline.Selected()
		if !d.timeline.Click(msg.Y - headLines - 1) {
			return nil
		}
		if r, ok := d.timeline.Selected(); ok && had && r.ID == before.ID {
			return d.read()
		}
		return nil
	case postedMsg:
		if msg.id != d.id {
			return nil
		}
		d.posting = false
		if msg.err != nil {
			// The text stays in the box: nothing typed is lost.
			d.note, d.noteErr = "not posted: "+msg.err.Error(), true
			return nil
		}
		d.input.Reset()
		d.timeline.SelectLast() // follow what I just wrote
		d.add(msg.entry)
		d.note, d.noteErr = fmt.Sprintf("posted #%d", msg.entry.ID), false
		return d.reload()
	case actionMsg:
		if msg.id != d.id {
			return nil
		}
		if msg.err != nil {
			d.note, d.noteErr = msg.what+" refused: "+msg.err.Error(), true
		} else {
			d.note, d.noteErr = msg.what, false
		}
		return d.reload()
	case tea.KeyPressMsg:
		if d.input.Focused() {
			return d.typing(msg)
		}
		return d.command(msg)
	}
	if d.input.Focused() {
		var cmd tea.Cmd
		d.input, cmd = d.input.Update(msg)
		return cmd
	}
	return nil
}

func (d *Incident) typing(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, d.keys.Post):
		return d.post()
	case key.Matches(msg, d.keys.Kind):
		d.kind = (d.kind + 1) % len(writable)
		return nil
	case key.Matches(msg, d.keys.Cancel):
		d.input.Blur()
		return nil
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	return cmd
}

func (d *Incident) me() (string, error) {
	if d.ctx.Me.Handle == "" {
		if d.ctx.MeErr != nil {
			return "", d.ctx.MeErr
		}
		return "", errors.New("you are not a member: only members write in the journal")
	}
	return d.ctx.Me.Handle, nil
}

func (d *Incident) post() tea.Cmd {
	if d.posting {
		return nil
	}
	text := d.input.Value()
	if err := oncall.CheckEntryText(text); err != nil {
		d.note, d.noteErr = "not posted: "+err.Error(), true
		return nil
	}
	by, err := d.me()
	if err != nil {
		d.note, d.noteErr = "not posted: "+err.Error(), true
		return nil
	}
	d.posting = true
	d.note, d.noteErr = "posting…", false
	st, id, kind := d.ctx.Store, d.id, writable[d.kind]
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e, err := st.AddEntry(ctx, id, by, kind, text)
		return postedMsg{id: id, entry: e, err: err}
	}
}

// act runs a store write off the event loop and reports what happened.
func (d *Incident) act(what string, fn func(ctx context.Context, st oncall.Store, by string) error) tea.Cmd {
	by, err := d.me()
	if err != nil {
		d.note, d.noteErr = what+" refused: "+err.Error(), true
		return nil
	}
	st, id := d.ctx.Store, d.id
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return actionMsg{id: id, what: what, err: fn(ctx, st, by)}
	}
}

func (d *Incident) setStatus(to oncall.Status) tea.Cmd {
	return d.act(string(to), func(ctx context.Context, st oncall.Store, by string) error {
		return st.SetStatus(ctx, d.id, by, to)
	})
}

// toggleRole leaves a role I hold, else takes it.
func (d *Incident) toggleRole(role oncall.Role, takeOver bool) tea.Cmd {
	holds := false
	for _, r := range d.roles {
		if r.Held() && r.Role == role && r.Member == d.ctx.Me.Handle {
			holds = true
		}
	}
	id := d.id
	if holds && !takeOver {
		return d.act("left "+string(role), func(ctx context.Context, st oncall.Store, by string) error {
			_, err := st.LeaveRole(ctx, id, by, role)
			return err
		})
	}
	return d.act("took "+string(role), func(ctx context.Context, st oncall.Store, by string) error {
		_, err := st.TakeRole(ctx, id, by, role, takeOver)
		return err
	})
}

func (d *Incident) command(msg tea.KeyPressMsg) tea.Cmd {
	k := d.keys
	switch {
	case key.Matches(msg, k.Write):
		d.note = ""
		d.input.Focus()
		d.sizeInput() // before the first key typed, which may come before a frame
		return nil
	case key.Matches(msg, k.Ack):
		return d.setStatus(oncall.StatusAcknowledged)
	case key.Matches(msg, k.Mitigate):
		return d.setStatus(oncall.StatusMitigated)
	case key.Matches(msg, k.Resolve):
		return d.setStatus(oncall.StatusResolved)
	case key.Matches(msg, k.Review):
		return d.setStatus(oncall.StatusReviewed)
	case key.Matches(msg, k.Lead):
		return d.toggleRole(oncall.RoleLead, false)
	case key.Matches(msg, k.TakeOver):
		return d.toggleRole(oncall.RoleLead, true)
	case key.Matches(msg, k.Scribe):
		return d.toggleRole(oncall.RoleScribe, false)
	case key.Matches(msg, k.Helper):
		return d.toggleRole(oncall.RoleHelper, false)
	case key.Matches(msg, k.Retro):
		return common.Push(retro.New(d.ctx, d.id))
	case key.Matches(msg, k.Open):
		return d.read()
	}
	d.timeline.Update(msg)
	return nil
}

// sizeInput fits the entry box to the width left by its label and counter.
func (d *Incident) sizeInput() {
	kind := "[" + string(writable[d.kind]) + "]"
	d.input.SetWidth(max(max(d.ctx.Width, 20)-ansi.StringWidth(kind)-16, 10))
}

// headLines is the height of the header above the timeline.
const headLines = 2

func (d *Incident) View() string {
	st := d.ctx.Styles
	w := max(d.ctx.Width, 20)
	if !d.loaded {
		if d.loadErr != nil {
			return st.Crit.Render(fmt.Sprintf("incident #%d: ", d.id)) + sanitize.Line(d.loadErr.Error())
		}
		return st.Muted.Render("loading the incident…")
	}
	loc := common.Location(d.ctx.Me.TZ)
	inc := d.inc
	var head strings.Builder
	sev := inc.Severity
	if sev < 1 || sev > 3 {
		sev = 0
	}
	head.WriteString(st.Section.Render(fmt.Sprintf("#%d %s", inc.ID, sanitize.Line(inc.Title))) + "  ")
	head.WriteString(st.Severity[sev].Render(fmt.Sprintf("sev%d", inc.Severity)) + " ")
	head.WriteString(st.ForStatus(string(inc.Status)).Render(string(inc.Status)))
	head.WriteString("\n" + st.Muted.Render(fmt.Sprintf("affects %s · opened %s by %s · ",
		sanitize.Line(strings.Join(inc.Affects, ", ")), inc.OpenedAt.In(loc).Format("02 Jan 15:04"), sanitize.Line(inc.OpenedBy))))
	head.WriteString(d.rolesLine())

	// Bottom: outcome line, entry box.
	var foot strings.Builder
	if d.note != "" {
		style := st.Muted
		if d.noteErr {
			style = st.Crit
		}
		foot.WriteString(style.Render(sanitize.Line(d.note)) + "\n")
	} else {
		foot.WriteString("\n")
	}
	kind := st.Info.Render("[" + string(writable[d.kind]) + "]")
	if d.input.Focused() {
		d.sizeInput()
		n := len(d.input.Value())
		counter := ""
		if n > oncall.MaxEntryBytes*3/4 {
			style := st.Warn
			if n > oncall.MaxEntryBytes {
				style = st.Crit
			}
			counter = " " + style.Render(fmt.Sprintf("%d/%d bytes", n, oncall.MaxEntryBytes))
		}
		if d.input.Clipped {
			counter += " " + st.Crit.Render(fmt.Sprintf("cut at the %d-byte cap", oncall.MaxEntryBytes))
		}
		foot.WriteString(kind + " " + d.input.View() + counter)
	} else {
		foot.WriteString(kind + " " + st.Muted.Render("i: write · a: ack · m: mitigated · R: resolved · l/s/h: lead/scribe/helper · r: retro · enter: read · /: filter · esc: back"))
	}

	// Middle: the timeline, newest at the bottom.
	room := max(d.ctx.Height-headLines-2, 1)
	var body string
	switch {
	case d.timeline.Total() == 0:
		body = st.Muted.Render("nothing written yet")
	case d.timeline.Len() == 0:
		body = st.Muted.Render(fmt.Sprintf("no entry matches among %d (esc clears the filter)", d.timeline.Total()))
	default:
		body = d.timeline.View(st, w, room)
	}
	return head.String() + "\n" + body + strings.Repeat("\n", max(room-strings.Count(body, "\n")-1, 0)+1) + foot.String()
}

func (d *Incident) rolesLine() string {
	st := d.ctx.Styles
	var held []string
	for _, role := range oncall.RolesAll {
		var who []string
		for _, r := range d.roles {
			if r.Held() && r.Role == role {
				who = append(who, sanitize.Line(r.Member))
			}
		}
		if len(who) == 0 {
			held = append(held, st.Muted.Render(string(role)+" —"))
			continue
		}
		held = append(held, st.Muted.Render(string(role)+" ")+st.Bold.Render(strings.Join(who, ", ")))
	}
	return strings.Join(held, st.Muted.Render(" · "))
}
