package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/views/common"
)

// The database poll: one cheap PRAGMA data_version each Tick tells the
// root that another member (or this process) wrote, and the screens reload.

// A database poll that found nothing new redraws nothing: the last frame
// is reused, except every quietRedraw polls so that ages ("12s ago",
// "stale 2m") keep moving. Most of an idle session's CPU was rebuilding an
// identical frame every second.
const quietRedraw = 10

type tickMsg struct {
	now     time.Time
	version int64
	err     error
}

// firstVersion is the version the screens' first loads start from, read
// before them: a write landing before the first poll is then seen as a
// change. 0 on error: the first poll reloads.
func firstVersion(st *oncall.Store) int64 {
	if st == nil {
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	v, _ := st.DataVersion(ctx)
	return v
}

func (m *Model) tickCmd() tea.Cmd {
	st := m.ctx.Store
	return tea.Tick(m.tick, func(now time.Time) tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		v, err := st.DataVersion(ctx)
		return tickMsg{now: now, version: v, err: err}
	})
}

// polled re-arms the poll and tells the screens when the store changed.
func (m *Model) polled(msg tickMsg) tea.Cmd {
	cmds := []tea.Cmd{m.tickCmd()}
	changed := errText(m.err) != errText(msg.err)
	m.err = msg.err
	// Another member wrote, or a minute passed (who is on call now is a
	// function of the clock).
	if msg.err == nil && (msg.version != m.storeVersion || msg.now.Sub(m.lastRefresh) >= time.Minute) {
		// lastRefresh is zero at the first poll: screens loaded at Init
		// then, so only a version that moved since New reloads them.
		reload := msg.version != m.storeVersion || !m.lastRefresh.IsZero()
		m.storeVersion, m.lastRefresh = msg.version, msg.now
		changed = true
		if reload {
			cmds = append(cmds, m.broadcast(common.StoreChangedMsg{Now: msg.now}))
		}
	}
	if m.quietPolls++; !changed && m.quietPolls < quietRedraw {
		m.reuse = true
	} else {
		m.quietPolls = 0
	}
	return tea.Batch(cmds...)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
