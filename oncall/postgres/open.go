package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlstore"
)

var _ sqlstore.Dialect = (*Dialect)(nil)

// Open connects to the PostgreSQL database dsn names (a postgres:// URL or a
// libpq keyword string, several hosts included; the password from
// PGPASSFILE / ~/.pgpass or PGPASSWORD) and brings its schema up to date.
// Errors never show the password.
func Open(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	where := oncall.RedactDSN(dsn)
	cfg, err := parseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", where, err)
	}
	db := newDB(cfg)
	if err := ping(ctx, db, cfg); err != nil {
		db.Close()
		return nil, redactErr("open store "+where, err)
	}
	st, err := sqlstore.New(ctx, db, &Dialect{cfg: cfg, dsn: dsn})
	if err != nil {
		db.Close()
		return nil, redactErr("open store "+where, err)
	}
	return st, nil
}

// ping connects once. With several hosts (a replicated database: "host=a,b
// target_session_attrs=read-write") it keeps trying for up to reconnectFor
// while none is a reachable primary: a failover is under way, and a member's
// note should wait for it rather than fail.
func ping(ctx context.Context, db *sql.DB, cfg *pgx.ConnConfig) error {
	start := time.Now()
	wait := 100 * time.Millisecond
	for {
		pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		err := db.PingContext(pctx)
		cancel()
		if err == nil || hosts(cfg) < 2 || !connLost(err) || time.Since(start) > reconnectFor {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(wait*2, time.Second)
	}
}

// hosts counts the distinct servers a DSN names (sslmode=prefer lists each
// one twice, with and without TLS).
func hosts(cfg *pgx.ConnConfig) int {
	seen := map[string]bool{fmt.Sprintf("%s:%d", cfg.Host, cfg.Port): true}
	for _, f := range cfg.Fallbacks {
		seen[fmt.Sprintf("%s:%d", f.Host, f.Port)] = true
	}
	return len(seen)
}

// SchemaVersion is entretien_schema's version, 0 in an empty database.
func (d *Dialect) SchemaVersion(ctx context.Context, q sqlstore.Querier) (int, error) {
	return schemaVersion(ctx, q)
}

// Changes LISTENs on a connection of its own: every commit that wrote rows,
// by any process on any host, arrives as a Change naming its table, with no
// polling. After a lost connection it reconnects by itself and sends a
// Change without a table (what was committed meanwhile was not notified).
func (d *Dialect) Changes(ctx context.Context, _ *sql.DB) <-chan oncall.Change {
	out := make(chan oncall.Change, 1)
	send := func(table string) {
		select {
		case out <- oncall.Change{Table: table, At: time.Now().UTC()}:
		default: // one is pending: the receiver reloads anyway
		}
	}
	// Turning read-only or writable again is news too: the status line says it.
	stop := d.onFlip(func() { send("") })
	listen(ctx, d.cfg, func(table string) {
		if table == "" {
			// The listener reconnected, so a primary answers; the Change
			// sent just below tells the subscriber, no flip needed.
			d.setPrimary(true, false)
		}
		send(table)
	}, d.noPrimary, func() { stop(); close(out) })
	return out
}
