package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/oncall"
)

// Communicating decisions widely: when a proposal opens, gets an
// objection or closes (or is amended after one took a position), every
// member is told in the status line at their next visit, until they look
// at the decisions tab; their seen mark is kept in the database, so it
// holds across sessions and bastions.

const decisionsTab = "decisions"

// decisionNotices are the events member has not seen; nil on error or
// without a member.
func decisionNotices(st oncall.Store, member string) []oncall.ProposalEvent {
	if st == nil || member == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ns, err := st.DecisionNotices(ctx, member)
	if err != nil {
		return nil
	}
	return ns
}

func noticeIDs(ns []oncall.ProposalEvent) string {
	var b strings.Builder
	for _, n := range ns {
		fmt.Fprintf(&b, "%d,", n.ID)
	}
	return b.String()
}

// noticeLine is what the status line says: the latest few, newest first.
func noticeLine(ns []oncall.ProposalEvent) string {
	if len(ns) == 0 {
		return ""
	}
	var parts []string
	for i := len(ns) - 1; i >= 0 && len(parts) < 3; i-- {
		n := ns[i]
		switch n.Kind {
		case oncall.EventOpened:
			parts = append(parts, fmt.Sprintf("#%d opened by %s", n.ProposalID, n.Actor))
		case oncall.EventObjection:
			parts = append(parts, fmt.Sprintf("objection to #%d by %s", n.ProposalID, n.Actor))
		case oncall.EventClosed:
			what, _, _ := strings.Cut(n.Text, ":")
			parts = append(parts, fmt.Sprintf("#%d %s", n.ProposalID, what))
		case oncall.EventAmended:
			parts = append(parts, fmt.Sprintf("#%d amended: confirm your position", n.ProposalID))
		}
	}
	more := ""
	if len(ns) > len(parts) {
		more = fmt.Sprintf(" (+%d)", len(ns)-len(parts))
	}
	return "decisions: " + strings.Join(parts, " · ") + more + " — tab 0"
}

// visitDecisions marks the notices seen once the member is on the
// decisions tab (its list or a proposal opened from it).
func (m *Model) visitDecisions() tea.Cmd {
	if len(m.notices) == 0 || m.tabs[m.active][0].screen.Title() != decisionsTab || m.ctx.Store == nil {
		return nil
	}
	st, me, upTo := m.ctx.Store, m.ctx.Me.Handle, m.notices[len(m.notices)-1].ID
	m.notices = nil
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := st.MarkDecisionsSeen(ctx, me, upTo); err != nil {
			return nil // told again at the next visit
		}
		return nil
	}
}
