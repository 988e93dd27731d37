package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlstore"
)

func TestOpenCreatesGroupWritableFiles(t *testing.T) {
	for _, mask := range []int{0o022, 0o077} {
		t.Run(fmt.Sprintf("umask_%03o", mask), func(t *testing.T) {
			old := syscall.Umask(mask)
			defer syscall.Umask(old)

			dir := filepath.Join(t.TempDir(), "share", "entretien")
			path := filepath.Join(dir, "entretien.db")
			st, err := Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			// A write after open: SQLite may (re)create the sidecars itself.
			if _, err := st.AddMember(context.Background(), oncall.Member{Handle: "amelie", Name: "Amélie", TZ: "Europe/Paris"}); err != nil {
				t.Fatal(err)
			}
			wantMode(t, dir, os.ModeDir|0o770)
			wantMode(t, path, 0o660)
			wantMode(t, path+"-wal", 0o660)
			wantMode(t, path+"-shm", 0o660)
		})
	}
}

func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode() & (os.ModeDir | os.ModePerm); got != want {
		t.Errorf("%s: mode %v, want %v", filepath.Base(path), got, want)
	}
}

func TestOpenLeavesExistingFileModeAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	wantMode(t, path, 0o600)
}

func TestMigrationsAreIdempotentAndVersioned(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	for i := 0; i < 2; i++ {
		st, err := Open(context.Background(), path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var v int
		if err := st.SQL().QueryRow("PRAGMA user_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		ms, _ := fs.Glob((&Dialect{}).Migrations(), "*.sql")
		if v != len(ms) || v < 1 {
			t.Fatalf("user_version %d, want %d", v, len(ms))
		}
		var mode string
		if err := st.SQL().QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal_mode %q, %v", mode, err)
		}
		var fk int
		if err := st.SQL().QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Fatalf("foreign_keys %d, %v", fk, err)
		}
		st.Close()
	}
}

func TestOpenNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SQL().Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if st, err := Open(context.Background(), path); err == nil {
		st.Close()
		t.Fatal("opened a database with a newer schema")
	}
}

// Several processes starting at once on a fresh file: one converts it to WAL
// and migrates, the others wait for it (SQLite does not make them wait on its
// own for the WAL switch); all can then write.
func TestConcurrentOpenOfFreshFile(t *testing.T) {
	const rounds, openers = 30, 8
	for round := 0; round < rounds; round++ {
		path := filepath.Join(t.TempDir(), "fresh.db")
		var wg sync.WaitGroup
		errs := make(chan error, openers)
		for i := 0; i < openers; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				st, err := Open(context.Background(), path)
				if err != nil {
					errs <- err
					return
				}
				defer st.Close()
				_, err = st.AddMember(context.Background(), oncall.Member{Handle: fmt.Sprintf("m%d", i), Name: "M", TZ: "UTC"})
				errs <- err
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		st, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, st, "members"); n != openers {
			t.Fatalf("round %d: %d members", round, n)
		}
		st.Close()
	}
}

func TestPathWithURICharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd?name#1%2.db")
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.Describe() != path {
		t.Fatalf("Path() = %q", st.Describe())
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the given path: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if e.Name() == "odd" {
			t.Fatal("the ? was taken as the start of the URI query")
		}
	}
}

// Changes sees every commit, through this store's other connections as
// through another store (another process), and nothing for a refused write.
func TestChanges(t *testing.T) {
	ctx := context.Background()
	a := openTemp(t)
	b, err := Open(ctx, a.Describe())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ca, cb := follow(t, a), follow(t, b)
	quiet(t, ca, "opening")

	// A write through a itself (another pooled connection) is seen by a…
	mustMember(t, a, "amelie", "Europe/Paris")
	seen(t, ca, "a write through the same store")
	// …and by b, as if b were another process.
	seen(t, cb, "a write through another store")
	mustMember(t, b, "lucas", "Europe/Paris")
	seen(t, ca, "a write through b")
	seen(t, cb, "b's own write")
	// A refused write commits nothing and is not seen.
	if _, err := a.AddMember(ctx, oncall.Member{Handle: "x", Name: "x", TZ: "Nowhere/Else"}); err == nil {
		t.Fatal("bad tz accepted")
	}
	quiet(t, cb, "a refused write")
	quiet(t, ca, "a refused write")
}

// Without a file watch, Changes polls every second and still sees writes.
func TestChangesWithoutWatch(t *testing.T) {
	st := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := (&Dialect{path: st.Describe(), noWatch: true}).Changes(ctx, st.SQL())
	mustMember(t, st, "amelie", "Europe/Paris")
	select {
	case <-ch:
	case <-time.After(fastPoll + 2*time.Second):
		t.Fatal("the fallback poll did not see a write")
	}
	cancel()
	for range ch { // closed when ctx ends
	}
}

func follow(t *testing.T, st *sqlstore.Store) <-chan oncall.Change {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return st.Changes(ctx)
}

func seen(t *testing.T, ch <-chan oncall.Change, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(3 * time.Second):
		t.Fatalf("%s: no change seen", what)
	}
}

func quiet(t *testing.T, ch <-chan oncall.Change, what string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("%s: a change was seen", what)
	case <-time.After(400 * time.Millisecond):
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/srv/data")
	if p, err := DefaultPath(); err != nil || p != "/srv/data/entretien/entretien.db" {
		t.Fatalf("DefaultPath = %q, %v", p, err)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/amelie")
	if p, err := DefaultPath(); err != nil || p != "/home/amelie/.local/share/entretien/entretien.db" {
		t.Fatalf("DefaultPath = %q, %v", p, err)
	}
	t.Setenv("XDG_DATA_HOME", "relative/dir") // must be ignored per XDG spec
	if p, _ := DefaultPath(); p != "/home/amelie/.local/share/entretien/entretien.db" {
		t.Fatalf("DefaultPath with relative XDG_DATA_HOME = %q", p)
	}
}
