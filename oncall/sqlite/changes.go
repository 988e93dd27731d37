package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"codeberg.org/entretien/entretien/oncall"
)

// Noticing commits: another member's write changes the WAL file (path-wal)
// or, at a checkpoint, the database file; a file-change notification on
// their folder wakes the watch, which reads PRAGMA data_version once. A
// quiet database costs nothing: no poll every second.
//
// A slow poll stays as the fallback while the watch works. Why that is
// enough: SQLite's WAL mode needs every connection on one host (the
// wal-index is shared memory), so every writer is a local process whose
// writes the kernel reports; the fallback only covers a lost notification
// (queue overflow) or a folder replaced under the watch. Without a watch (a
// file system without notifications, or too many watches) the poll runs
// every second.
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

// Changes tells of every commit to the file from now on, by any process or
// connection, this store's own included. Each call has its own connection
// (PRAGMA data_version is per connection and counts the commits of every
// *other* connection) and its own watch, both released when ctx ends.
func (d *Dialect) Changes(ctx context.Context, db *sql.DB) <-chan oncall.Change {
	out := make(chan oncall.Change, 1)
	conn, err := db.Conn(ctx)
	if err != nil {
		close(out)
		return out
	}
	var w *dbWatch
	if !d.noWatch {
		w = watchDB(d.path)
	}
	seen, _ := dataVersion(ctx, conn)
	go func() {
		defer close(out)
		defer conn.Close()
		every := fastPoll
		var events <-chan fsnotify.Event
		var errs <-chan error
		if w != nil {
			defer w.w.Close()
			every, events, errs = slowPoll, w.w.Events, w.w.Errors
		}
		poll := time.NewTicker(every)
		defer poll.Stop()
		look := func(recheck bool) {
			if w != nil {
				w.drain(ctx, coalesceWake)
			}
			v, err := dataVersion(ctx, conn)
			if err == nil && v == seen && recheck && w != nil {
				w.drain(ctx, recheckWake)
				v, err = dataVersion(ctx, conn)
			}
			if err != nil || v == seen {
				return
			}
			seen = v
			select {
			case out <- oncall.Change{At: time.Now().UTC()}:
			default: // one is pending: it covers this one
			}
		}
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					events, errs = nil, nil
					poll.Reset(fastPoll)
					continue
				}
				if w.names[filepath.Clean(ev.Name)] && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Remove|fsnotify.Rename) != 0 {
					look(true)
				}
			case _, ok := <-errs:
				if !ok {
					errs = nil
					continue
				}
				// An overflow lost events: look, as if something changed.
				look(false)
			case <-poll.C:
				look(false)
			}
		}
	}()
	return out
}

func dataVersion(ctx context.Context, conn *sql.Conn) (int64, error) {
	var v int64
	err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v)
	return v, err
}

// dbWatch is the notification watch on the database's folder.
type dbWatch struct {
	w     *fsnotify.Watcher
	names map[string]bool // the database and its WAL, cleaned
}

// watchDB watches the folder of the database at path; nil when the file
// system or the system's limits do not allow it (the poll then runs fast).
func watchDB(path string) *dbWatch {
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

// drain swallows the events of the same burst for up to wait.
func (d *dbWatch) drain(ctx context.Context, wait time.Duration) {
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-d.w.Events:
		case <-d.w.Errors:
		case <-ctx.Done():
			return
		case <-t.C:
			return
		}
	}
}
