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
)

// writable are the kinds a member picks with tab in the entry box.
var writable = []oncall.EntryKind{oncall.KindObservation, oncall.KindAction, oncall.KindDecision, oncall.KindQuestion, oncall.KindHandoff}

// detail is one incident: header, live timeline, entry box.
type detail struct {
	ctx  *common.Context
	keys KeyMap
	id   int64

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
	scroll  int // timeline lines scrolled up from the bottom
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

func newDetail(ctx *common.Context, keys KeyMap, id int64) *detail {
	in := entrybox.New()
	in.Prompt = "> "
	in.Placeholder = "what do you see, do, decide? (enter posts)"
	// The store caps entries in bytes; runes are at most 4 bytes, and a
	// longer text is refused with the reason, never cut silently.
	in.Limit = oncall.MaxEntryBytes // typing or pasting past it is cut, and the box says so
	return &detail{ctx: ctx, keys: keys, id: id, seen: map[int64]bool{}, input: in}
}

func (d *detail) init() tea.Cmd { return d.reload() }

// reload fetches the incident, entries newer than lastID and the roles:
// cheap enough to run on every store change (each second at most).
func (d *detail) reload() tea.Cmd {
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

func (d *detail) add(es ...oncall.Entry) {
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
}

func (d *detail) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
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
		d.add(msg.entry)
		d.scroll = 0
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

func (d *detail) typing(msg tea.KeyPressMsg) tea.Cmd {
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

func (d *detail) me() (string, error) {
	if d.ctx.Me.Handle == "" {
		if d.ctx.MeErr != nil {
			return "", d.ctx.MeErr
		}
		return "", errors.New("you are not a member: only members write in the journal")
	}
	return d.ctx.Me.Handle, nil
}

func (d *detail) post() tea.Cmd {
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
func (d *detail) act(what string, fn func(ctx context.Context, st *oncall.Store, by string) error) tea.Cmd {
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

func (d *detail) setStatus(to oncall.Status) tea.Cmd {
	return d.act(string(to), func(ctx context.Context, st *oncall.Store, by string) error {
		return st.SetStatus(ctx, d.id, by, to)
	})
}

// toggleRole leaves a role I hold, else takes it.
func (d *detail) toggleRole(role oncall.Role, takeOver bool) tea.Cmd {
	holds := false
	for _, r := range d.roles {
		if r.Held() && r.Role == role && r.Member == d.ctx.Me.Handle {
			holds = true
		}
	}
	id := d.id
	if holds && !takeOver {
		return d.act("left "+string(role), func(ctx context.Context, st *oncall.Store, by string) error {
			_, err := st.LeaveRole(ctx, id, by, role)
			return err
		})
	}
	return d.act("took "+string(role), func(ctx context.Context, st *oncall.Store, by string) error {
		_, err := st.TakeRole(ctx, id, by, role, takeOver)
		return err
	})
}

func (d *detail) command(msg tea.KeyPressMsg) tea.Cmd {
	k := d.keys
	switch {
	case key.Matches(msg, k.Write):
		d.note = ""
		d.input.Focus()
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
	case key.Matches(msg, k.Up):
		d.scroll++
	case key.Matches(msg, k.Down):
		d.scroll = max(d.scroll-1, 0)
	case key.Matches(msg, k.Bottom):
		d.scroll = 0
	}
	return nil
}

func (d *detail) view() string {
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
		d.input.SetWidth(max(w-ansi.StringWidth(kind)-16, 10))
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
		foot.WriteString(kind + " " + st.Muted.Render("i: write · a: ack · m: mitigated · R: resolved · l/s/h: lead/scribe/helper · r: retro · esc: back"))
	}

	// Middle: the timeline, newest at the bottom, scrollable.
	lines := d.timelineLines(w, loc)
	room := max(d.ctx.Height-4, 1)
	end := max(len(lines)-d.scroll, min(room, len(lines)))
	d.scroll = len(lines) - end
	start := max(end-room, 0)
	body := strings.Join(lines[start:end], "\n")
	if len(lines) == 0 {
		body = st.Muted.Render("nothing written yet")
	}
	return head.String() + "\n" + body + strings.Repeat("\n", max(room-(end-start), 0)+1) + foot.String()
}

func (d *detail) rolesLine() string {
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

// timelineLines draws entries and role changes, each wrapped under its
// prefix ("15:04 chloe    observation #12 ").
func (d *detail) timelineLines(w int, loc *time.Location) []string {
	st := d.ctx.Styles
	var out []string
	for _, it := range oncall.MergeTimeline(d.entries, d.roles) {
		who := it.Who
		if who == "" {
			who = "cluster"
		}
		ref := ""
		if it.EntryID != 0 {
			ref = fmt.Sprintf("#%d", it.EntryID)
		}
		prefix := fmt.Sprintf("%s %-8s %-11s %-5s ", it.At.In(loc).Format("15:04"), ansi.Truncate(sanitize.Line(who), 8, "…"), it.Kind, ref)
		pw := ansi.StringWidth(prefix)
		text := sanitize.Text(it.Text)
		if it.Amends != 0 {
			text = fmt.Sprintf("(amends #%d) %s", it.Amends, text)
		}
		style := st.Row
		switch it.Kind {
		case string(oncall.KindSystem):
			style = st.Info
		case string(oncall.KindStatus), "role":
			style = st.Bold
		}
		wrapped := strings.Split(ansi.Wrap(text, max(w-pw, 10), " "), "\n")
		for i, l := range wrapped {
			p := strings.Repeat(" ", pw)
			if i == 0 {
				p = st.Muted.Render(prefix)
			}
			out = append(out, p+style.Render(l))
		}
	}
	return out
}
