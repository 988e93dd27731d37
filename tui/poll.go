package tui

import (
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/views/common"
)

// The clock poll: every Tick (by default just past each minute) the screens
// reload for the clock's sake (who is on call now is a function of it);
// changes to the store come through its Changes (dbwake.go).

// A database poll that found nothing new redraws nothing: the last frame
// is reused (ages move by their own timer, ages.go).

type tickMsg struct {
	now     time.Time
	version int64
	err     error
	wake    bool // from the store's Changes (re-arms the wait), else from the poll
	// unreached is read with a new version (paging.go); nil otherwise.
	unreached []string
	paging    bool // unreached was read
	// notices are the decisions this member has not seen (decisions.go),
	// read with unreached.
	notices []oncall.ProposalEvent
}

func (m *Model) tickCmd() tea.Cmd {
	st, c, seen, first, me := m.ctx.Store, m.changes, m.storeVersion, m.lastRefresh.IsZero(), m.ctx.Me.Handle
	return tea.Tick(m.pollEvery(time.Now()), func(now time.Time) tea.Msg {
		var v int64
		if c != nil {
			v = c.version.Load()
		}
		msg := tickMsg{now: now, version: v}
		if v != seen || first {
			msg.unreached, msg.paging = unreached(st), true
			msg.notices = decisionNotices(st, me)
		}
		return msg
	})
}

// pollEvery is the time to the next clock poll: Tick when set, else just
// past the next minute (the clock reload then lands on the minute).
func (m *Model) pollEvery(now time.Time) time.Duration {
	if m.tick > 0 {
		return m.tick
	}
	return now.Truncate(time.Minute).Add(time.Minute + 5*time.Millisecond).Sub(now)
}

// polled re-arms what sent msg (the poll or the watch) and tells the
// screens when the store changed.
func (m *Model) polled(msg tickMsg) tea.Cmd {
	var cmds []tea.Cmd
	if msg.wake {
		cmds = append(cmds, m.wakeCmd())
	} else {
		cmds = append(cmds, m.tickCmd())
	}
	changed := errText(m.err) != errText(msg.err)
	m.err = msg.err
	if msg.paging && !slices.Equal(msg.unreached, m.unreached) {
		m.unreached, changed = msg.unreached, true
	}
	if msg.paging && noticeIDs(msg.notices) != noticeIDs(m.notices) {
		m.notices, changed = msg.notices, true
	}
	// Another member wrote, or the minute changed (who is on call now is
	// a function of the clock).
	if msg.err == nil && (msg.version != m.storeVersion || !sameMinute(msg.now, m.lastRefresh)) {
		// lastRefresh is zero at the first poll: screens loaded at Init
		// then, so only a version that moved since New reloads them.
		reload := msg.version != m.storeVersion || !m.lastRefresh.IsZero()
		m.storeVersion, m.lastRefresh = msg.version, msg.now
		changed = true
		if reload {
			cmds = append(cmds, m.broadcast(common.StoreChangedMsg{Now: msg.now}))
		}
	}
	m.reuse = !changed
	return tea.Batch(cmds...)
}

func sameMinute(a, b time.Time) bool {
	return a.Truncate(time.Minute).Equal(b.Truncate(time.Minute))
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
