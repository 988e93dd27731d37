package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// ReadFallback is what a replicated engine's dialect may add: when its
// primary cannot be reached (a failover, the primary's site dark), reads
// go to a standby rather than fail, and the store says it is read-only.
// Writes still go to the primary only, and wait for one (the dialect's
// Write). A dialect without it (SQLite) reads its one database.
type ReadFallback interface {
	// Unavailable reports whether err means "no primary to talk to" (a
	// refused or cut connection, a standby reached), not a query's fault.
	Unavailable(err error) bool
	// ReadDB is the pool that reaches any member, standbys included.
	ReadDB() *sql.DB
	// Fellback records that a read went to a standby (and why); the
	// dialect's availability reads it.
	Fellback(err error)
}

func (q DB) fallback(err error) (*sql.DB, bool) {
	fb, ok := q.d.(ReadFallback)
	if !ok || err == nil || !fb.Unavailable(err) {
		return nil, false
	}
	fb.Fellback(err)
	return fb.ReadDB(), true
}

// schemaVersion reads the version from the primary, else from a standby:
// a store opened while no primary answers can still be read, if its
// schema needs nothing (a migration waits for a primary).
func schemaVersion(ctx context.Context, db *sql.DB, d Dialect) (int, error) {
	v, err := d.SchemaVersion(ctx, db)
	if fdb, ok := (DB{db: db, d: d}).fallback(err); ok {
		return d.SchemaVersion(ctx, fdb)
	}
	return v, err
}

// NoPrimarySince is the dialect's, for a replicated engine (oncall.Replicated);
// zero for one that is never between primaries.
func (s *Store) NoPrimarySince() time.Time {
	if r, ok := s.d.(interface{ NoPrimarySince() time.Time }); ok {
		return r.NoPrimarySince()
	}
	return time.Time{}
}
