package postgres

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/pgtest"
)

func openDB(t *testing.T, dsn string) (*sql.DB, *Dialect) {
	t.Helper()
	cfg, err := parseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := newDB(cfg)
	t.Cleanup(func() { db.Close() })
	return db, &Dialect{cfg: cfg, dsn: dsn}
}

// applyAll runs the migrations the way the store does (advisory lock,
// version re-read, bump in the same transaction).
func applyAll(t *testing.T, db *sql.DB, d *Dialect) {
	t.Helper()
	ctx := context.Background()
	names, err := fs.Glob(d.Migrations(), "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("migrations: %v %v", names, err)
	}
	sort.Strings(names)
	for i, n := range names {
		b, _ := fs.ReadFile(d.Migrations(), n)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.BeginMigration(ctx, tx); err != nil {
			t.Fatal(err)
		}
		if v, err := schemaVersion(ctx, tx); err != nil || v != i {
			t.Fatalf("%s: version %d, %v; want %d", n, v, err, i)
		}
		if _, err := tx.ExecContext(ctx, string(b)); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if err := d.SetSchemaVersion(ctx, tx, i+1); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

func migrationTables(t *testing.T, d *Dialect) []string {
	t.Helper()
	var tables []string
	re := regexp.MustCompile(`CREATE TABLE (\w+)`)
	names, _ := fs.Glob(d.Migrations(), "*.sql")
	for _, n := range names {
		b, _ := fs.ReadFile(d.Migrations(), n)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			tables = append(tables, m[1])
		}
	}
	return tables
}

func TestMigrationsApplyWithATriggerOnEveryTable(t *testing.T) {
	ctx := context.Background()
	db, d := openDB(t, pgtest.DSN(t))
	if v, err := schemaVersion(ctx, db); err != nil || v != 0 {
		t.Fatalf("empty database: version %d, %v", v, err)
	}
	applyAll(t, db, d)
	tables := migrationTables(t, d)
	if len(tables) < 20 {
		t.Fatalf("found %d tables in the migrations", len(tables))
	}
	for _, tb := range tables {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname LIKE $2`, tb, tb+"_notify_%").Scan(&n); err != nil || n != 4 {
			t.Errorf("table %s: %d notify triggers (%v), want 4", tb, n, err)
		}
	}
	// Ids are identities: a copy may write them, and the sequence goes on.
	var ident string
	if err := db.QueryRowContext(ctx, `SELECT is_identity || identity_generation FROM information_schema.columns WHERE table_name = 'incidents' AND column_name = 'id'`).Scan(&ident); err != nil || ident != "YESBY DEFAULT" {
		t.Errorf("incidents.id identity: %q, %v", ident, err)
	}
	// Text sorts bytewise, as in SQLite.
	if _, err := db.ExecContext(ctx, `INSERT INTO members(handle, name, tz, created_at) VALUES ('b', 'b', 'UTC', 'x'), ('B', 'B', 'UTC', 'x'), ('a', 'a', 'UTC', 'x')`); err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT handle FROM members ORDER BY handle`)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for rows.Next() {
		var h string
		rows.Scan(&h)
		order = append(order, h)
	}
	rows.Close()
	if strings.Join(order, "") != "Bab" {
		t.Errorf("handles sort %v, want B a b (bytewise)", order)
	}
}

func TestWriteRetriesASerializationFailure(t *testing.T) {
	ctx := context.Background()
	db, d := openDB(t, pgtest.DSN(t))
	if _, err := db.ExecContext(ctx, `CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)`); err != nil {
		t.Fatal(err)
	}
	// Both transactions read before either writes: under SERIALIZABLE one
	// of them must fail and run again on the other's result.
	var read sync.WaitGroup
	read.Add(2)
	runs := make([]int, 2)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			first := true
			errs[i] = d.Write(ctx, db, func(tx *sql.Tx) error {
				runs[i]++
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT n FROM counter`).Scan(&n); err != nil {
					return err
				}
				if first {
					first = false
					read.Done()
					read.Wait()
				}
				_, err := tx.ExecContext(ctx, `UPDATE counter SET n = $1`, n+1)
				return err
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT n FROM counter`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("counter = %d (%v), want 2: an update was lost", n, err)
	}
	if d.Retries() < 1 || runs[0]+runs[1] < 3 {
		t.Fatalf("retries %d, runs %v: one writer must have run again", d.Retries(), runs)
	}
	// Anything else is not retried.
	calls := 0
	err := d.Write(ctx, db, func(tx *sql.Tx) error {
		calls++
		_, err := tx.ExecContext(ctx, `INSERT INTO counter VALUES (NULL)`)
		return err
	})
	if err == nil || calls != 1 {
		t.Fatalf("a NOT NULL violation: err %v after %d calls, want an error after 1", err, calls)
	}
	sentinel := errors.New("no")
	if err := d.Write(ctx, db, func(*sql.Tx) error { return sentinel }); !errors.Is(err, sentinel) {
		t.Fatalf("fn's error: %v", err)
	}
}

func recv(t *testing.T, ch <-chan string, want string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case got := <-ch:
			if got == want {
				return
			}
		case <-deadline:
			t.Fatalf("no notification %q within %v", want, within)
		}
	}
}

func TestListenNotifiesAndReconnectsAfterARestart(t *testing.T) {
	srv := pgtest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	db, d := openDB(t, srv.NewDB(t))
	applyAll(t, db, d)
	ch := make(chan string, 100)
	done := make(chan struct{})
	listen(ctx, d.cfg, func(table string) { ch <- table }, func() {}, func() { close(done) })
	// Right after listen returns, a commit is seen.
	if _, err := db.ExecContext(ctx, `INSERT INTO store_marks(key, value, set_at) VALUES ('a', '', 'x')`); err != nil {
		t.Fatal(err)
	}
	recv(t, ch, "store_marks", 5*time.Second)
	// A statement that wrote no row says nothing.
	if _, err := db.ExecContext(ctx, `UPDATE store_marks SET value = 'z' WHERE key = 'none'; DELETE FROM store_marks WHERE key = 'none';
		INSERT INTO store_marks(key, value, set_at) VALUES ('a', '', 'x') ON CONFLICT DO NOTHING;
		INSERT INTO members(handle, name, tz, created_at) VALUES ('m', 'M', 'UTC', 'x')`); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-ch:
		if got != "members" {
			t.Fatalf("notified %q, want only members (the other statements wrote nothing)", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification for members")
	}

	srv.Restart(t)
	// The listener comes back by itself and says it may have missed some.
	recv(t, ch, "", 15*time.Second)
	if _, err := db.ExecContext(ctx, `INSERT INTO store_marks(key, value, set_at) VALUES ('b', '', 'x')`); err != nil {
		t.Fatalf("the pool after a restart: %v", err)
	}
	recv(t, ch, "store_marks", 5*time.Second)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("listen did not stop with its context")
	}
}

func TestStatusOfAPlainPrimary(t *testing.T) {
	db, _ := openDB(t, pgtest.DSN(t))
	st, err := Status(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(st.Version, "1") || st.Standby || len(st.Replicas) != 0 || st.ReplayLag != nil {
		t.Fatalf("status of a lone primary: %+v", st)
	}
}
