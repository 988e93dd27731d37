package rota

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

// current is the loaded leave not over yet (the calendar range only).
func (m *Model) current() []oncall.Leave {
	var out []oncall.Leave
	now := m.ctx.Now()
	for _, l := range m.data.leaves {
		if l.End.After(now) {
			out = append(out, l)
		}
	}
	return out
}

// mine says whether I may withdraw l: I am on it or I marked it.
func (m *Model) mine(l oncall.Leave) bool {
	me := m.ctx.Me.Handle
	return me != "" && (l.Member == me || l.CreatedBy == me)
}

// leaveLines lists the leave not over yet with its IDs, the ones the
// withdraw form takes; mine are marked so the viewer knows which they can.
func (m *Model) leaveLines(loc *time.Location) []string {
	st := m.ctx.Styles
	ls := m.current()
	if len(ls) == 0 {
		return nil
	}
	lines := []string{st.Section.Render("Leave") + st.Muted.Render("  l mark · L withdraw one of yours (* yours)")}
	for _, l := range ls {
		mark := "  "
		if m.mine(l) {
			mark = st.Key.Render("* ")
		}
		text := fmt.Sprintf("#%d %s %s → %s", l.ID, l.Member, l.Start.In(loc).Format(clock), l.End.In(loc).Format(clock))
		if l.Reason != "" {
			text += " (" + l.Reason + ")"
		}
		if l.CreatedBy != l.Member {
			text += ", marked by " + l.CreatedBy
		}
		lines = append(lines, mark+sanitize.Line(text))
	}
	return append(lines, "")
}

// withdrawForm asks for one leave ID, prefilled with my first one.
func (m *Model) withdrawForm() *form {
	def := ""
	f := &form{title: "Withdraw leave: one you are on or marked (one under way ends now)"}
	for _, l := range m.current() {
		if !m.mine(l) {
			continue
		}
		if def == "" {
			def = strconv.FormatInt(l.ID, 10)
		}
		f.info = append(f.info, fmt.Sprintf("  #%d %s %s → %s", l.ID, l.Member, l.Start.In(m.loc()).Format(clock), l.End.In(m.loc()).Format(clock)))
	}
	if len(f.info) == 0 {
		f.info = []string{"  none of yours in the coming " + strconv.Itoa(days) + " days (a later one's number: entretien leave list)"}
	}
	f.fields = []field{newField("leave #", def, "its number in the Leave list", m.checkWithdraw)}
	f.submit = func(v []string) tea.Cmd {
		id, _ := strconv.ParseInt(v[0], 10, 64)
		return m.write(func(ctx context.Context, st oncall.Store, me string) (string, error) {
			if err := st.RemoveLeave(ctx, me, id); err != nil {
				return "", err
			}
			// Read it back to say which happened: deleted, or cut short.
			l, err := st.Leave(ctx, id)
			switch {
			case errors.Is(err, oncall.ErrNotFound):
				return fmt.Sprintf("leave #%d withdrawn", id), nil
			case err != nil:
				return "", err
			}
			return fmt.Sprintf("leave #%d of %s was under way: it now ends %s", id, l.Member, l.End.In(m.loc()).Format(clock)), nil
		})
	}
	return f
}

// checkWithdraw mirrors RemoveLeave's rules for the leave loaded here; an
// ID outside the calendar range is left to the store.
func (m *Model) checkWithdraw(s string) error {
	id, err := strconv.ParseInt(s, 10, 64)
	if s == "" {
		return errors.New("leave #: required")
	}
	if err != nil || id <= 0 {
		return fmt.Errorf("leave # %q: not a positive number", s)
	}
	for _, l := range m.data.leaves {
		if l.ID != id {
			continue
		}
		if !m.mine(l) {
			return fmt.Errorf("leave #%d is %s's, marked by %s: not yours to withdraw", id, l.Member, l.CreatedBy)
		}
		if !l.End.After(m.ctx.Now()) {
			return fmt.Errorf("leave #%d is over: past leave stays in the history", id)
		}
	}
	return nil
}
