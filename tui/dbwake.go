package tui

import (
	"context"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/oncall"
)

// Waking on the store: the store's Changes tell of every commit, another
// member's process included (SQLite watches its files and reads PRAGMA
// data_version; PostgreSQL listens), and each one wakes the root, which
// tells the screens to reload. A quiet store costs nothing: the root polls
// no database. The poll (poll.go) only moves the clock, on the minute (who
// is on call now is a function of the clock).

// storeChanges is the root's subscription to the store's Changes; version
// counts the changes seen, the root's notion of the store's version.
type storeChanges struct {
	ch      <-chan oncall.Change
	stop    context.CancelFunc
	version atomic.Int64
}

// subscribe starts following st's changes; nil without a store.
func subscribe(st oncall.Store) *storeChanges {
	if st == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &storeChanges{ch: st.Changes(ctx), stop: cancel}
}

// wakeCmd waits (off the event loop) for the next change of the store, as
// a tickMsg marked wake; the root re-arms it after each one.
func (m *Model) wakeCmd() tea.Cmd {
	c, st, me := m.changes, m.ctx.Store, m.ctx.Me.Handle
	if c == nil || st == nil {
		return nil
	}
	return func() tea.Msg {
		if _, ok := <-c.ch; !ok {
			return nil
		}
		v := c.version.Add(1)
		return tickMsg{now: time.Now(), version: v, wake: true, unreached: unreached(st), paging: true, notices: decisionNotices(st, me)}
	}
}
