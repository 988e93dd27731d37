package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// Store is oncall.Store on a SQL database: the SQL is written once, with ?
// placeholders, and the Dialect says what differs between engines.
type Store struct {
	db DB
	d  Dialect

	clockMu sync.RWMutex
	clock   func() time.Time

	closed    chan struct{} // closed by Close: every Changes ends then
	closeOnce sync.Once
}

var _ oncall.Store = (*Store)(nil)

// New brings the schema of db up to date with d's migrations and returns the
// store on it. The store owns db and d from then on: Close closes both.
func New(ctx context.Context, db *sql.DB, d Dialect) (*Store, error) {
	if err := migrate(ctx, db, d); err != nil {
		return nil, err
	}
	return &Store{db: DB{db: db, d: d}, d: d, clock: time.Now, closed: make(chan struct{})}, nil
}

// SQL is the database behind the store, for a backend's own checks and
// tests (a row count, a file mode); consumers use the contract.
func (s *Store) SQL() *sql.DB { return s.db.db }

// Dialect is the engine's part of the store.
func (s *Store) Dialect() Dialect { return s.d }

// Now is the store's clock, in UTC.
func (s *Store) Now() time.Time { return s.now() }

// SetClock replaces the store's clock; nil restores time.Now.
func (s *Store) SetClock(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.clockMu.Lock()
	s.clock = now
	s.clockMu.Unlock()
}

func (s *Store) now() time.Time {
	s.clockMu.RLock()
	c := s.clock
	s.clockMu.RUnlock()
	return c().UTC()
}

// Describe is where the store lives, for messages.
func (s *Store) Describe() string { return s.d.Describe() }

// Changes tells of commits by anyone, as the dialect sees them, until ctx
// ends or the store is closed.
func (s *Store) Changes(ctx context.Context) <-chan oncall.Change {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-s.closed:
		case <-ctx.Done():
		}
		cancel()
	}()
	return s.d.Changes(ctx, s.db.db)
}

// Close ends every Changes, releases the dialect's own resources, then the
// pool.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { close(s.closed) })
	return errors.Join(s.d.Close(), s.db.db.Close())
}

// write runs fn in one write transaction of the dialect (see Dialect.Write):
// validation reads inside fn see the state the write applies to. fn may run
// more than once.
func (s *Store) write(ctx context.Context, fn func(tx *Tx) error) error {
	return s.d.Write(ctx, s.db.db, func(tx *sql.Tx) error { return fn(&Tx{tx: tx, d: s.d}) })
}

// errNothing rolls a write back that found nothing to do: readers watching
// for changes then see none.
var errNothing = errors.New("nothing to write")

// DB and Tx are the store's *sql.DB and *sql.Tx with every query rebound to
// the driver's placeholders, so that the SQL stays written once.
type DB struct {
	db *sql.DB
	d  Dialect
}

func (q DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := q.db.QueryContext(ctx, q.d.Rebind(query), args...)
	if fdb, ok := q.fallback(err); ok {
		return fdb.QueryContext(ctx, q.d.Rebind(query), args...)
	}
	return rows, err
}

func (q DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	row := q.db.QueryRowContext(ctx, q.d.Rebind(query), args...)
	if fdb, ok := q.fallback(row.Err()); ok {
		return fdb.QueryRowContext(ctx, q.d.Rebind(query), args...)
	}
	return row
}

func (q DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.db.ExecContext(ctx, q.d.Rebind(query), args...)
}

// Tx is a write transaction of the store (see DB).
type Tx struct {
	tx *sql.Tx
	d  Dialect
}

func (q *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.tx.QueryContext(ctx, q.d.Rebind(query), args...)
}

func (q *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return q.tx.QueryRowContext(ctx, q.d.Rebind(query), args...)
}

func (q *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.tx.ExecContext(ctx, q.d.Rebind(query), args...)
}

// insertID runs an INSERT … RETURNING id and reads the id back (no
// LastInsertId: PostgreSQL's driver has none).
func insertID(ctx context.Context, q Querier, query string, args ...any) (int64, error) {
	var id int64
	if err := q.QueryRowContext(ctx, query, args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}
