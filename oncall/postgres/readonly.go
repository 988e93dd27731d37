package postgres

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"codeberg.org/entretien/entretien/oncall/sqlstore"
)

// Between two primaries (Patroni promoting a standby, or no site left with
// one), entretien stays readable: reads go to whichever member answers,
// the store says since when no primary has (oncall.Replicated, drawn in
// the status line), writes wait for one (Write) and say so.

// readOnly is the dialect's part of that; its zero value is ready.
type readOnlyState struct {
	mu     sync.Mutex
	since  time.Time // zero: a primary answers
	readDB *sql.DB   // any member, standbys included; opened on first need
	flips  map[int]func()
	next   int
}

var _ sqlstore.ReadFallback = (*Dialect)(nil)

// Unavailable: no primary to talk to (a cut or refused connection), not a
// query's fault nor the caller's own deadline.
func (d *Dialect) Unavailable(err error) bool {
	return err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && connLost(err)
}

// ReadDB reaches any member of the DSN, the first that answers.
func (d *Dialect) ReadDB() *sql.DB {
	d.ro.mu.Lock()
	defer d.ro.mu.Unlock()
	if d.ro.readDB == nil {
		cfg := d.cfg.Copy()
		cfg.ValidateConnect = nil // target_session_attrs=any
		d.ro.readDB = newDB(cfg)
	}
	return d.ro.readDB
}

// Fellback: a read found no primary.
func (d *Dialect) Fellback(error) { d.noPrimary() }

// NoPrimarySince is when a read, a write or the LISTEN connection last
// found no primary, zero once one answered again.
func (d *Dialect) NoPrimarySince() time.Time {
	d.ro.mu.Lock()
	defer d.ro.mu.Unlock()
	return d.ro.since
}

func (d *Dialect) noPrimary()   { d.setPrimary(false, true) }
func (d *Dialect) primaryBack() { d.setPrimary(true, true) }

// setPrimary records whether a primary answers; on a change, tell tells
// the Changes subscribers (their screens redraw the status line).
func (d *Dialect) setPrimary(up, tell bool) {
	d.ro.mu.Lock()
	changed := up != d.ro.since.IsZero()
	switch {
	case up:
		d.ro.since = time.Time{}
	case changed:
		d.ro.since = time.Now()
	}
	var fs []func()
	if changed && tell {
		for _, f := range d.ro.flips {
			fs = append(fs, f)
		}
	}
	d.ro.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

// onFlip calls f whenever the store turns read-only or writable again (so
// that a subscriber of Changes redraws); the returned func stops it.
func (d *Dialect) onFlip(f func()) func() {
	d.ro.mu.Lock()
	defer d.ro.mu.Unlock()
	if d.ro.flips == nil {
		d.ro.flips = map[int]func(){}
	}
	id := d.ro.next
	d.ro.next++
	d.ro.flips[id] = f
	return func() {
		d.ro.mu.Lock()
		delete(d.ro.flips, id)
		d.ro.mu.Unlock()
	}
}

func (d *Dialect) closeReadDB() error {
	d.ro.mu.Lock()
	defer d.ro.mu.Unlock()
	if d.ro.readDB == nil {
		return nil
	}
	return d.ro.readDB.Close()
}
