package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

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
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
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
	listen(ctx, d.cfg, func(table string) {
		select {
		case out <- oncall.Change{Table: table, At: time.Now().UTC()}:
		default: // one is pending: the receiver reloads anyway
		}
	}, func() { close(out) })
	return out
}
