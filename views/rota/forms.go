package rota

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/views/common"
)

const inputLayout = "2006-01-02 15:04"

// The field checks mirror the store's rules so mistakes show while typing;
// the store checks again on submit (another member may have written since).

func required(name string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(name + ": required")
		}
		return nil
	}
}

func (m *Model) rotationByName(name string) (oncall.Rotation, bool) {
	for _, oc := range m.data.onCall {
		if oc.Rotation.Name == name {
			return oc.Rotation, true
		}
	}
	return oncall.Rotation{}, false
}

func (m *Model) checkRotation(s string) error {
	if s == "" {
		return errors.New("rotation: required")
	}
	if _, ok := m.rotationByName(s); !ok {
		var names []string
		for _, oc := range m.data.onCall {
			names = append(names, oc.Rotation.Name)
		}
		return fmt.Errorf("rotation %q: unknown (have %s)", s, strings.Join(names, ", "))
	}
	return nil
}

func (m *Model) checkMember(label string) func(string) error {
	return func(s string) error {
		if s == "" {
			return errors.New(label + ": required")
		}
		for _, mem := range m.data.members {
			if mem.Handle == s {
				return nil
			}
		}
		return fmt.Errorf("%s %q: no such member", label, s)
	}
}

// zoneOf is the zone times in a form are read in: the rotation's named in
// field 0 when it is one, else the viewer's.
func (m *Model) zoneOf(f *form) *time.Location {
	if f == nil || len(f.fields) == 0 { // while the form is being built
		return m.loc()
	}
	if r, ok := m.rotationByName(strings.TrimSpace(f.fields[0].in.Value())); ok {
		return common.Location(r.TZ)
	}
	return m.loc()
}

func (m *Model) checkTime(f **form, label string) func(string) error {
	return func(s string) error {
		_, _, err := oncall.ParseTime(label, s, m.zoneOf(*f), m.ctx.Now())
		return err
	}
}

// defaultRotation is the first rotation I take part in, else the first.
func (m *Model) defaultRotation() (oncall.Rotation, bool) {
	for _, oc := range m.data.onCall {
		for _, p := range oc.Rotation.Participants {
			if p == m.ctx.Me.Handle {
				return oc.Rotation, true
			}
		}
	}
	if len(m.data.onCall) > 0 {
		return m.data.onCall[0].Rotation, true
	}
	return oncall.Rotation{}, false
}

// myNextShift is the start (or now, if it is running) of my next own shift.
func (m *Model) myNextShift(r oncall.Rotation) string {
	now := m.ctx.Now()
	for _, sh := range r.Shifts(now, now.Add(366*24*time.Hour)) {
		if sh.Member == m.ctx.Me.Handle {
			t := sh.Start
			if t.Before(now) {
				t = now.Add(time.Minute)
			}
			return t.In(common.Location(r.TZ)).Format(inputLayout)
		}
	}
	return ""
}

// write runs a store write off the event loop and reports it as formDoneMsg.
func (m *Model) write(fn func(ctx context.Context, st oncall.Store, me string) (string, error)) tea.Cmd {
	st, me := m.ctx.Store, m.ctx.Me.Handle
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ok, err := fn(ctx, st, me)
		return formDoneMsg{ok: ok, err: err}
	}
}

func (m *Model) swapForm() *form {
	r, _ := m.defaultRotation()
	f := &form{title: "Propose a swap: a shift of yours (or of another member) for one of theirs"}
	f.fields = []field{
		newField("rotation", r.Name, "primary", m.checkRotation),
		newField("member", m.ctx.Me.Handle, "whose shift: you, or another member (both then confirm)", m.checkMember("member")),
		newField("with", "", "member handle", func(v string) error {
			if err := m.checkMember("with")(v); err != nil {
				return err
			}
			if f != nil && len(f.fields) > 1 && v == strings.TrimSpace(f.fields[1].in.Value()) {
				return fmt.Errorf("with %q: is also the member: a swap needs two members", v)
			}
			return nil
		}),
		newField("shift", m.myNextShift(r), "any time inside the member's shift: 2026-03-23 12:00", m.checkTime(&f, "shift")),
		newField("their shift", "", "any time inside with's shift: +7d", m.checkTime(&f, "their shift")),
		newField("note", "", "optional, for them", nil),
	}
	f.submit = func(v []string) tea.Cmd {
		loc, now := m.zoneOf(f), m.ctx.Now()
		mine, _, _ := oncall.ParseTime("shift", v[3], loc, now)
		theirs, _, _ := oncall.ParseTime("their shift", v[4], loc, now)
		return m.write(func(ctx context.Context, st oncall.Store, me string) (string, error) {
			os, err := st.ProposeSwap(ctx, me, oncall.SwapRequest{Rotation: v[0], For: v[1], With: v[2], Mine: mine, Theirs: theirs, Note: v[5]})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("swap proposed (#%d), waiting for %s", os[0].ID, strings.Join(oncall.AwaitingAll(os), " and ")), nil
		})
	}
	return f
}

func (m *Model) overrideForm() *form {
	r, _ := m.defaultRotation()
	f := &form{title: "Add an override: who covers whom, when"}
	f.fields = []field{
		newField("rotation", r.Name, "primary", m.checkRotation),
		newField("covering", m.ctx.Me.Handle, "who takes the pager", m.checkMember("covering")),
		newField("covered", "", "whose shift it is", m.checkMember("covered")),
		newField("from", "", "2026-03-23 10:00, now, +2h", m.checkTime(&f, "from")),
		newField("to", "", "2026-03-24 10:00, +12h (a date includes the day)", m.checkTime(&f, "to")),
		newField("note", "", "optional", nil),
	}
	f.submit = func(v []string) tea.Cmd {
		rg, err := oncall.ParseRange("from", v[3], "to", v[4], m.zoneOf(f), m.ctx.Now())
		return m.write(func(ctx context.Context, st oncall.Store, me string) (string, error) {
			if err != nil {
				return "", err
			}
			o, err := st.ProposeOverride(ctx, me, oncall.OverrideRequest{Rotation: v[0], Covering: v[1], Covered: v[2], Start: rg.Start, End: rg.End, Note: v[5]})
			if err != nil {
				return "", err
			}
			if aw := o.AwaitingFrom(); len(aw) > 0 {
				return fmt.Sprintf("override #%d proposed, waiting for %s", o.ID, strings.Join(aw, " and ")), nil
			}
			return fmt.Sprintf("override #%d recorded", o.ID), nil
		})
	}
	return f
}

func (m *Model) noteForm() *form {
	def := ""
	for _, oc := range m.data.onCall {
		if oc.HasNow && oc.Now.Member == m.ctx.Me.Handle {
			def = oc.Rotation.Name
			break
		}
	}
	f := &form{title: "Handoff note for whoever takes the pager from you"}
	f.fields = []field{
		newField("rotation", def, "a rotation you hold now", func(s string) error {
			if err := m.checkRotation(s); err != nil {
				return err
			}
			for _, oc := range m.data.onCall {
				if oc.Rotation.Name == s && (!oc.HasNow || oc.Now.Member != m.ctx.Me.Handle) {
					return fmt.Errorf("rotation %q: you are not on call on it now", s)
				}
			}
			return nil
		}),
		newField("note", "", "what the next one must know", required("note")),
	}
	f.submit = func(v []string) tea.Cmd {
		return m.write(func(ctx context.Context, st oncall.Store, me string) (string, error) {
			n, err := st.WriteHandoffNote(ctx, me, v[0], v[1])
			if err != nil {
				return "", err
			}
			return "handoff note saved for " + n.HandoffAt.In(m.loc()).Format(clock), nil
		})
	}
	return f
}

func (m *Model) leaveForm() *form {
	f := &form{title: "Mark leave"}
	f.fields = []field{
		newField("member", m.ctx.Me.Handle, "whose leave", m.checkMember("member")),
		newField("when", "", "2026-04-01..2026-04-08 (dates included)", func(s string) error {
			_, err := oncall.ParseRangeText("when", s, m.loc(), m.ctx.Now())
			return err
		}),
		newField("reason", "", "optional", nil),
	}
	f.submit = func(v []string) tea.Cmd {
		rg, err := oncall.ParseRangeText("when", v[1], m.loc(), m.ctx.Now())
		return m.write(func(ctx context.Context, st oncall.Store, me string) (string, error) {
			if err != nil {
				return "", err
			}
			l, err := st.AddLeave(ctx, me, oncall.Leave{Member: v[0], Start: rg.Start, End: rg.End, Reason: v[2]})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("leave #%d marked for %s", l.ID, l.Member), nil
		})
	}
	return f
}

// availabilityLines: when each member can be reached, on their own clock;
// the calendar marks shifts outside these windows as conflicts.
func (m *Model) availabilityLines() []string {
	st := m.ctx.Styles
	if len(m.data.avail) == 0 {
		return nil
	}
	lines := []string{st.Section.Render("Reachable") + st.Muted.Render("  on each member's own clock · v change yours")}
	var always []string
	for _, mem := range m.data.members {
		ws, ok := m.data.avail[mem.Handle]
		if !ok {
			always = append(always, mem.Handle)
			continue
		}
		lines = append(lines, "  "+sanitize.Line(fmt.Sprintf("%-10s %s", mem.Handle, oncall.WindowsText(ws)))+
			st.Muted.Render("  "+sanitize.Line(mem.TZ)))
	}
	if len(always) > 0 {
		lines = append(lines, "  "+st.Muted.Render(sanitize.Line("any time: "+strings.Join(always, ", "))))
	}
	return append(lines, "")
}

// availabilityForm replaces my windows; a member sets only their own here
// (the CLI's member available is for whoever keeps the member list).
func (m *Model) availabilityForm() *form {
	f := &form{title: "When can you be reached? On your own clock (" + m.loc().String() + ")"}
	f.info = []string{"Windows separated by ;  e.g. daily 08:00-22:00 (not nights) · weekends · mon-fri 18:00-23:00. Empty: any time."}
	f.fields = []field{
		newField("windows", oncall.WindowsText(m.data.avail[m.ctx.Me.Handle]), "daily 08:00-22:00; weekends", func(s string) error {
			_, err := oncall.ParseWindows(s)
			return err
		}),
	}
	f.submit = func(v []string) tea.Cmd {
		ws, err := oncall.ParseWindows(v[0])
		return m.write(func(ctx context.Context, st oncall.Store, me string) (string, error) {
			if err != nil {
				return "", err
			}
			if err := st.SetAvailability(ctx, me, ws); err != nil {
				return "", err
			}
			if len(ws) == 0 {
				return "you can now be reached any time", nil
			}
			return "you can now be reached: " + oncall.WindowsText(ws), nil
		})
	}
	return f
}
