// Package sqlite is the embedded backend of the store: one SQLite file that
// the members of a bastion share, in WAL mode, behind the one SQL
// implementation (oncall/sqlstore).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3" // registers the "sqlite3" driver (cgo)

	"codeberg.org/entretien/entretien/oncall/sqlstore"
)

// Many processes (one per member at the bastion) open the same file at
// once: WAL lets readers run beside a writer, the busy timeout makes writers
// queue, and every write transaction starts with BEGIN IMMEDIATE so none can
// fail half-way on a lock upgrade.
const busyTimeout = 5 * time.Second

// Migrations are numbered files NNNN_name.sql; the schema version is
// SQLite's PRAGMA user_version.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// DefaultPath is $XDG_DATA_HOME/entretien/entretien.db, or
// ~/.local/share/entretien/entretien.db when XDG_DATA_HOME is unset or not
// absolute (the XDG spec says relative values are to be ignored).
func DefaultPath() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "entretien", "entretien.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("default database path: %w", err)
	}
	return filepath.Join(home, ".local", "share", "entretien", "entretien.db"), nil
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date. A file (and parent directory) created here is made group
// read-write (0660 / 0770) whatever the umask, so the collective's members can
// share it through a common group; an existing file's mode is left alone.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	if path == "" {
		return nil, errors.New("open store: empty path")
	}
	created, err := createDBFile(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db, err := sql.Open("sqlite3", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	st, err := open(ctx, db, path, created)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return st, nil
}

func open(ctx context.Context, db *sql.DB, path string, created bool) (*sqlstore.Store, error) {
	if err := db.PingContext(ctx); err != nil {
		return nil, err
	}
	if err := enableWAL(ctx, db); err != nil {
		return nil, err
	}
	st, err := sqlstore.New(ctx, db, &Dialect{path: path})
	if err != nil {
		return nil, err
	}
	if created {
		// After the first write in WAL mode the -wal and -shm files exist
		// (an idle pooled connection keeps them); give them the group bits.
		if err := fixSidecarModes(path); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// dsn escapes the characters that end or change a SQLite URI path; the
// underscore parameters are read by mattn/go-sqlite3 for every connection.
// The journal mode is not among them: see enableWAL.
//
// _mutex=no opens each connection without its own mutex (SQLite's
// multi-thread mode): database/sql hands a connection to one goroutine at
// a time, and the driver's cancellation calls sqlite3_interrupt, which
// SQLite allows from any thread. Serialized mode locked and unlocked it
// around every column of every row read: 13 % of reading a 100k-entry
// journal.
func dsn(path string) string {
	p := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return fmt.Sprintf("file:%s?_foreign_keys=on&_busy_timeout=%d&_txlock=immediate&_mutex=no",
		p, busyTimeout.Milliseconds())
}

// enableWAL switches the file to WAL, which is persistent: later connections
// read it from the header. It is done once here rather than per connection
// (DSN _journal_mode) because converting a fresh file upgrades a read lock
// to a write lock, and SQLite answers that with an immediate SQLITE_BUSY,
// without waiting, when another process converts at the same moment. So
// retry, within the usual busy timeout.
func enableWAL(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(busyTimeout)
	for {
		var mode string
		err := db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		if err == nil {
			if mode != "wal" {
				return fmt.Errorf("journal mode is %q, WAL refused (a network file system?)", mode)
			}
			return nil
		}
		var se sqlite3.Error
		if !errors.As(err, &se) || (se.Code != sqlite3.ErrBusy && se.Code != sqlite3.ErrLocked) || time.Now().After(deadline) {
			return fmt.Errorf("enable WAL: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Dialect is SQLite's part of the store.
type Dialect struct {
	path    string
	noWatch bool // tests: the fallback poll alone
}

var _ sqlstore.Dialect = (*Dialect)(nil)

func (d *Dialect) Name() string { return "sqlite" }

// Rebind: SQLite takes ? as written.
func (d *Dialect) Rebind(query string) string { return query }

// Write runs fn in one BEGIN IMMEDIATE transaction (the DSN's _txlock): the
// write lock is taken up front, so validation reads inside fn see the state
// the write will apply to. Other writers queue on the busy timeout; nothing
// is retried, so fn runs once.
func (d *Dialect) Write(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (d *Dialect) Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded folder is there by construction
	}
	return sub
}

// SchemaVersion is PRAGMA user_version.
func (d *Dialect) SchemaVersion(ctx context.Context, q sqlstore.Querier) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// BeginMigration: the migration's transaction is BEGIN IMMEDIATE already,
// so two processes opening a fresh file queue on the write lock.
func (d *Dialect) BeginMigration(ctx context.Context, tx *sql.Tx) error { return nil }

func (d *Dialect) SetSchemaVersion(ctx context.Context, tx *sql.Tx, v int) error {
	// PRAGMA takes no bind parameters; v is an int we produced.
	_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v))
	return err
}

// Describe is the file's path.
func (d *Dialect) Describe() string { return d.path }

// Close: every watch ends with the context of its Changes.
func (d *Dialect) Close() error { return nil }
