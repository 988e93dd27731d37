// Package postgres is the replicated backend of the store: a PostgreSQL
// database the collective already runs, behind the one SQL implementation,
// with changes pushed by LISTEN/NOTIFY instead of polled.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgpassfile"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlstore"
)

// Migrations are numbered files NNNN_name.sql at the same versions as
// SQLite's; the schema version is the one row of entretien_schema.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

const (
	// notifyChannel is what every table's trigger NOTIFYs, with its name.
	notifyChannel = "entretien"
	// migrateLock is the advisory lock key of a migration ("entr").
	migrateLock int64 = 0x656e7472
	// serializeFor bounds the retries of a write that lost a serialization
	// race or a deadlock (twenty writers on one incident take several).
	serializeFor = 10 * time.Second
	// reconnectFor bounds the retries of a write whose connection was lost:
	// a Patroni failover takes about its TTL (20 s) to promote a standby.
	reconnectFor = 45 * time.Second
)

// Dialect is PostgreSQL's part of the store.
type Dialect struct {
	cfg        *pgx.ConnConfig // for the LISTEN connections; never printed
	dsn        string          // as given: may hold a password, never printed
	retries    atomic.Int64
	reconnects atomic.Int64
	ro         readOnlyState // between primaries (readonly.go)
}

// Name is "postgres".
func (d *Dialect) Name() string { return oncall.BackendPostgres }

// Rebind turns ? into $1, $2…
func (d *Dialect) Rebind(query string) string { return rebind(query) }

// Retries is how many writes ran again after a serialization failure or a
// deadlock since the store opened.
func (d *Dialect) Retries() int64 { return d.retries.Load() }

// Reconnects is how many writes ran again after a lost connection.
func (d *Dialect) Reconnects() int64 { return d.reconnects.Load() }

// Write runs fn in one SERIALIZABLE transaction: validation reads inside fn
// see the state the write applies to, or the commit fails with 40001 and fn
// runs again on the new state (so does a deadlock victim, 40P01), for up to
// serializeFor. A connection lost before COMMIT (a restart, a failover: the
// transaction did not happen) runs it again on a new connection for up to
// reconnectFor; one lost during COMMIT (it may have happened) only when the
// write is safe to replay (sqlstore.Idempotent). Nothing else is retried: a
// constraint or a read-only standby is the caller's.
func (d *Dialect) Write(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	// Each kind of retry has its own budget, counted from its first
	// occurrence: a write that waited out a failover may still lose a
	// serialization race on the new primary, and gets its full 10 s.
	var serStart, connStart time.Time
	told := false // the first lost connection says why the write waits
	for attempt := 1; ; attempt++ {
		err, committing := writeOnce(ctx, db, fn)
		if err == nil {
			d.primaryBack()
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		var budget, step time.Duration
		var since *time.Time
		switch {
		case retryable(err):
			budget, step, since = serializeFor, time.Millisecond, &serStart
			d.retries.Add(1)
		case connLost(err) && (!committing || sqlstore.IsIdempotent(ctx)):
			budget, step, since = reconnectFor, 20*time.Millisecond, &connStart
			d.reconnects.Add(1)
			d.noPrimary()
			if !told {
				oncall.WaitNotice(ctx)("no primary database answers (" + oncall.RedactText(err.Error()) + ")")
				told = true
			}
		default:
			return err
		}
		if since.IsZero() {
			*since = time.Now()
		}
		if time.Since(*since) > budget {
			return err
		}
		// Jittered, growing pause: two writers that collided do not collide
		// again in lockstep.
		pause := time.Duration(rand.Int64N(int64(step) << min(attempt, 7)))
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(pause):
		}
	}
}

// writeOnce runs fn once; committing says the error came from COMMIT.
func writeOnce(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) (err error, committing bool) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		return readOnly(err), false
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return readOnly(err), false
	}
	return readOnly(tx.Commit()), true
}

// connLost: the connection failed or the server ended the session, rather
// than the server refusing the statement.
func connLost(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err) || strings.Contains(err.Error(), "conn closed")
}

// ErrReadOnly: the server is a standby (or read-only), which cannot take
// entretien's writes.
var ErrReadOnly = errors.New("the database is read-only (a standby?): writes go to the primary; list every host with target_session_attrs=read-write")

// readOnly names a standby's refusal (a SERIALIZABLE transaction cannot
// even begin on one) instead of PostgreSQL's words for it.
func readOnly(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "25006" || pe.Code == "0A000" && strings.Contains(pe.Message, "hot standby")) {
		return fmt.Errorf("%w (%s)", ErrReadOnly, pe.Message)
	}
	return err
}

// retryable: a serialization failure or a deadlock, and only those.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// Migrations are this package's embedded files.
func (d *Dialect) Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded folder is there by construction
	}
	return sub
}

// querier is what *sql.DB, *sql.Conn and *sql.Tx share.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// schemaVersion is entretien_schema's version, 0 in an empty database.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var exists bool
	if err := q.QueryRowContext(ctx, `SELECT to_regclass('entretien_schema') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, err
	}
	if !exists {
		return 0, nil
	}
	var v int
	err := q.QueryRowContext(ctx, `SELECT version FROM entretien_schema WHERE id = 1`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// BeginMigration takes a transaction-scoped advisory lock: a second process
// migrating the same database waits here, then finds the step done.
func (d *Dialect) BeginMigration(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock)
	return err
}

// SetSchemaVersion records v in the migration's transaction.
func (d *Dialect) SetSchemaVersion(ctx context.Context, tx *sql.Tx, v int) error {
	return setSchemaVersion(ctx, tx, v)
}

func setSchemaVersion(ctx context.Context, q querier, v int) error {
	if _, err := q.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS entretien_schema (
		id      INTEGER PRIMARY KEY CHECK (id = 1),
		version INTEGER NOT NULL
	)`); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `INSERT INTO entretien_schema(id, version) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version`, v)
	return err
}

// Describe is the DSN without its password.
func (d *Dialect) Describe() string { return oncall.RedactDSN(d.dsn) }

// Close: every LISTEN connection ends with the context of its Changes.
func (d *Dialect) Close() error { return d.closeReadDB() }

// parseConfig parses a DSN; its error never quotes the password.
func parseConfig(dsn string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New(oncall.RedactText(err.Error()))
	}
	if cfg.Password == "" {
		cfg.Password = passwordForAnyHost(dsn, cfg)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "entretien"
	}
	return cfg, nil
}

// passwordForAnyHost reads the passfile as libpq does for a DSN of several
// hosts: pgx looks up only the first host's line, and a member's ~/.pgpass
// naming the other sites' servers would otherwise give no password at all.
// (The hosts of one replicated database share its roles and passwords.)
func passwordForAnyHost(dsn string, cfg *pgx.ConnConfig) string {
	path := passfileOf(dsn)
	if path == "" {
		path = os.Getenv("PGPASSFILE")
	}
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		path = filepath.Join(home, ".pgpass")
	}
	pf, err := pgpassfile.ReadPassfile(path)
	if err != nil {
		return ""
	}
	for _, f := range cfg.Fallbacks {
		host := f.Host
		if strings.HasPrefix(host, "/") {
			host = "localhost"
		}
		if pw := pf.FindPassword(host, strconv.Itoa(int(f.Port)), cfg.Database, cfg.User); pw != "" {
			return pw
		}
	}
	return ""
}

var passfileKV = regexp.MustCompile(`(?:^|\s)passfile\s*=\s*('(?:[^'\\]|\\.)*'|\S+)`)

// passfileOf is the passfile a DSN names, if any.
func passfileOf(dsn string) string {
	if l := strings.ToLower(dsn); strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return ""
		}
		return u.Query().Get("passfile")
	}
	m := passfileKV.FindStringSubmatch(dsn)
	if m == nil {
		return ""
	}
	return strings.Trim(m[1], "'")
}

func redactErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %s", what, oncall.RedactText(err.Error()))
}
