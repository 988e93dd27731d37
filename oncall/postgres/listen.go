package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// How the LISTEN connection notices a server that went away without a word
// (a cut line): it pings when nothing came for idlePing.
const (
	idlePing     = 15 * time.Second
	reconnectMin = 100 * time.Millisecond
	reconnectMax = 5 * time.Second
)

// listen LISTENs on its own connection (not the pool's: a LISTEN belongs to
// one session) and calls notify with each notification's payload, the
// table written. After a reconnect it calls notify("") first: what was
// committed while it was away was never notified. It returns once the
// first LISTEN is in place (or its first attempt failed), so a commit
// right after it is seen; it stops when ctx ends, then calls done.
// lost is called when reconnecting fails: no primary answers.
func listen(ctx context.Context, cfg *pgx.ConnConfig, notify func(table string), lost, done func()) {
	conn, _ := connectListener(ctx, cfg)
	go func() {
		defer done()
		wait := reconnectMin
		for {
			if conn == nil {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
				wait = min(wait*2, reconnectMax)
				c, err := connectListener(ctx, cfg)
				if err != nil {
					if ctx.Err() == nil {
						lost()
					}
					continue
				}
				conn, wait = c, reconnectMin
				notify("")
			}
			n, err := waitNotification(ctx, conn)
			if ctx.Err() != nil {
				conn.Close(context.Background())
				return
			}
			if err != nil {
				conn.Close(context.Background())
				conn = nil
				continue
			}
			if n != nil {
				notify(n.Payload)
			}
		}
	}()
}

func connectListener(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := pgx.ConnectConfig(cctx, cfg.Copy())
	if err != nil {
		return nil, err
	}
	if _, err := c.Exec(cctx, "LISTEN "+notifyChannel); err != nil {
		c.Close(context.Background())
		return nil, err
	}
	return c, nil
}

// waitNotification waits up to idlePing for a notification, then pings: a
// nil notification and nil error mean the connection is still good.
func waitNotification(ctx context.Context, c *pgx.Conn) (*pgconn.Notification, error) {
	wctx, cancel := context.WithTimeout(ctx, idlePing)
	n, err := c.WaitForNotification(wctx)
	cancel()
	if err == nil || ctx.Err() != nil {
		return n, err
	}
	if wctx.Err() == nil {
		return nil, err // the connection failed
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return nil, c.Ping(pctx)
}
