package oncall

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3" // registers the "sqlite3" driver (cgo)
)

// SQLite is the shared SQLite database. Many processes (one per member at the
// bastion) open the same file at once: WAL lets readers run beside a writer,
// the busy timeout makes writers queue, and every write transaction starts
// with BEGIN IMMEDIATE so none can fail half-way on a lock upgrade.
type SQLite struct {
	// Now is the clock used for every timestamp the store writes; tests and
	// the demo seed replace it. Times are stored in UTC.
	Now func() time.Time

	db   *sql.DB
	path string

	// verConn is kept only for DataVersion: PRAGMA data_version is per
	// connection and counts commits made by every *other* connection.
	verMu   sync.Mutex
	verConn *sql.Conn
}

const busyTimeout = 5 * time.Second

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
func Open(ctx context.Context, path string) (*SQLite, error) {
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
	s := &SQLite{Now: time.Now, db: db, path: path}
	if err := s.init(ctx, created); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

func (s *SQLite) init(ctx context.Context, created bool) error {
	if err := s.db.PingContext(ctx); err != nil {
		return err
	}
	if err := enableWAL(ctx, s.db); err != nil {
		return err
	}
	if err := migrate(ctx, s.db); err != nil {
		return err
	}
	if created {
		// After the first write in WAL mode the -wal and -shm files exist
		// (an idle pooled connection keeps them); give them the group bits.
		if err := fixSidecarModes(s.path); err != nil {
			return err
		}
	}
	c, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	s.verConn = c
	return nil
}

// dsn escapes the characters that end or change a SQLite URI path; the
// underscore parameters are read by mattn/go-sqlite3 for every connection.
// The journal mode is not among them: see enableWAL.
func dsn(path string) string {
	p := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return fmt.Sprintf("file:%s?_foreign_keys=on&_busy_timeout=%d&_txlock=immediate",
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

// Path is the database file this store was opened on.
func (s *SQLite) Path() string { return s.path }

// Close releases the dedicated DataVersion connection and the pool.
func (s *SQLite) Close() error {
	var errs []error
	if s.verConn != nil {
		errs = append(errs, s.verConn.Close())
	}
	errs = append(errs, s.db.Close())
	return errors.Join(errs...)
}

// DataVersion changes whenever anything (another process, or another
// connection of this Store) commits to the database since the previous call:
// the UI polls it cheaply and reloads only when it moved.
func (s *SQLite) DataVersion(ctx context.Context) (int64, error) {
	s.verMu.Lock()
	defer s.verMu.Unlock()
	var v int64
	if err := s.verConn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("data version: %w", err)
	}
	return v, nil
}

func (s *SQLite) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// write runs fn in one BEGIN IMMEDIATE transaction (see the DSN's _txlock):
// the write lock is taken up front, so validation reads inside fn see the
// state the write will apply to.
func (s *SQLite) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
