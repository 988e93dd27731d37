// Package sqlstore is the one SQL implementation of oncall.Store, written
// once with ? placeholders; a Dialect carries what differs between engines.
package sqlstore

import (
	"context"
	"database/sql"
	"io/fs"

	"codeberg.org/entretien/entretien/oncall"
)

// Dialect is what differs between the SQL engines behind the one store.
type Dialect interface {
	Name() string               // "sqlite" or "postgres"
	Rebind(query string) string // the portable query's ? placeholders in the driver's form ($1…)
	// Write runs fn in one transaction that sees the state it writes to (SQLite:
	// BEGIN IMMEDIATE; PostgreSQL: SERIALIZABLE, retried on serialization failure).
	// fn may run more than once and must have no effect outside tx.
	Write(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error
	Migrations() fs.FS // numbered NNNN_name.sql files, the same versions on every backend
	SchemaVersion(ctx context.Context, q Querier) (int, error)
	// BeginMigration runs first in each migration's transaction (PostgreSQL: an advisory lock).
	BeginMigration(ctx context.Context, tx *sql.Tx) error
	SetSchemaVersion(ctx context.Context, tx *sql.Tx, v int) error
	Changes(ctx context.Context, db *sql.DB) <-chan oncall.Change // closed when ctx ends
	Describe() string                                             // the location for messages: a path, or a DSN without its password
	Close() error
}

// Querier is what *sql.DB, *sql.Conn and *sql.Tx share.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}
