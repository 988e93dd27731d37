package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// After a server restart or a failover every pooled connection is dead,
// and the first statement on each reads the server's goodbye (FATAL
// 57P01 "terminating connection due to administrator command"). A
// connection idle for a while is pinged first (newDB); one used just before
// still answers 57P01 to the next statement, which never ran: BEGIN and
// queries answer driver.ErrBadConn then, and database/sql drops the
// connection and runs the statement on another, the last try on a new one. The store works again without being reopened.
// A plain Exec is left alone (it may be a write that committed just before
// the goodbye), and so is COMMIT.

type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		return dc, nil
	}
	return &conn{sc}, nil
}

// conn is pgx's database/sql connection (every optional interface of it
// promoted) with BEGIN and queries answering ErrBadConn for a dead session.
type conn struct{ *stdlib.Conn }

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.BeginTx(ctx, opts)
	return tx, badConn(err)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.Conn.QueryContext(ctx, query, args)
	return rows, badConn(err)
}

// badConn maps "the server ended this session" to driver.ErrBadConn.
func badConn(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03": // admin shutdown, crash shutdown, cannot connect now
			return driver.ErrBadConn
		}
	}
	return err
}

// pingAfter: a pooled connection idle longer than this is pinged before
// use (pgx's default is 1 s), so that one a restart ended is dropped before
// a statement is sent on it. A burst of statements (one screen) pays nothing.
const pingAfter = 100 * time.Millisecond

// newDB is the store's pool.
func newDB(cfg *pgx.ConnConfig) *sql.DB {
	db := sql.OpenDB(connector{stdlib.GetConnector(*cfg, stdlib.OptionShouldPing(func(_ context.Context, p stdlib.ShouldPingParams) bool {
		return p.IdleDuration > pingAfter
	}))})
	db.SetMaxIdleConns(4)
	return db
}
