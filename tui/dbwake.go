package tui

import (
	"context"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/fsnotify/fsnotify"

	"codeberg.org/entretien/entretien/oncall"
)

// Waking on the database: another member's write changes the WAL file
// (path-wal) or, at a checkpoint, the database file; a file-change
// notification on their folder wakes the root, which reads PRAGMA
// data_version once. A quiet database costs nothing: no poll every second.
//
// The poll (poll.go) stays as the fallback, slow when the watch works: once
// a minute, on the minute. Why that is enough: SQLite's WAL mode needs every
// connection on one host (the wal-index is shared memory), so every writer
// is a local process whose writes the kernel reports; the fallback only
// covers a lost notification (queue overflow) or a folder replaced under
// the watch, and the screens reload on the minute anyway (who is on call
// now is a function of the clock). Without a watch (a file system without
// notifications, or too many watches) the poll runs every second, as before.

const (
	// coalesceWake: a transaction writes the WAL several times; read the
	// version once after the burst.
	coalesceWake = 20 * time.Millisecond
	// recheckWake: the version lives in the wal-index (shared memory, no
	// notification of its own), updated just after the last WAL write; a
	// wake that found the old version looks once more after this.
	recheckWake = 200 * time.Millisecond
	// slowPoll is the fallback period while the watch works.
	slowPoll = time.Minute
	// fastPoll is the period without a watch.
	fastPoll = time.Second
)

// dbWatch is the notification watch on the database's folder.
type dbWatch struct {
	w     *fsnotify.Watcher
	names map[string]bool // the database and its WAL, cleaned
}

// watchDB watches the folder of the database at path; nil when the file
// system or the system's limits do not allow it (the poll then runs fast).
func watchDB(path string) *dbWatch {
	if path == "" {
		return nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil
	}
	// The folder, not the files: the WAL is created and removed as
	// connections come and go, and a watch on a removed file ends.
	if err := w.Add(filepath.Dir(abs)); err != nil {
		w.Close()
		return nil
	}
	return &dbWatch{w: w, names: map[string]bool{abs: true, abs + "-wal": true}}
}

// wait blocks until the database or its WAL changed (or the watch lost
// events); false when the watch is closed.
func (d *dbWatch) wait() bool {
	for {
		select {
		case ev, ok := <-d.w.Events:
			if !ok {
				return false
			}
			if d.names[filepath.Clean(ev.Name)] && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Remove|fsnotify.Rename) != 0 {
				return true
			}
		case _, ok := <-d.w.Errors:
			// An overflow lost events: look, as if something changed.
			return ok
		}
	}
}

// drain swallows the events of the same burst for up to d.
func (d *dbWatch) drain(wait time.Duration) {
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-d.w.Events:
		case <-d.w.Errors:
		case <-t.C:
			return
		}
	}
}

// wakeCmd waits (off the event loop) for the next change of the database
// files and reads the version then, as a tickMsg marked wake; the root
// re-arms it after each one. seen is the version the root holds.
func (m *Model) wakeCmd() tea.Cmd {
	d, st, seen, me := m.watch, m.ctx.Store, m.storeVersion, m.ctx.Me.Handle
	if d == nil || st == nil {
		return nil
	}
	return func() tea.Msg {
		if !d.wait() {
			return nil
		}
		d.drain(coalesceWake)
		v, err := readVersion(st)
		if err == nil && v == seen {
			d.drain(recheckWake)
			v, err = readVersion(st)
		}
		msg := tickMsg{now: time.Now(), version: v, err: err, wake: true}
		if err == nil && v != seen {
			msg.unreached, msg.paging = unreached(st), true
			msg.notices = decisionNotices(st, me)
		}
		return msg
	}
}

func readVersion(st *oncall.Store) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return st.DataVersion(ctx)
}
