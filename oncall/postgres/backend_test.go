package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/pgtest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlstore"
)

func member(h string) oncall.Member {
	return oncall.Member{Handle: h, Name: strings.ToUpper(h), TZ: "Europe/Paris", OSUsers: []string{h}}
}

func dialectOf(t *testing.T, st *sqlstore.Store) *Dialect {
	t.Helper()
	d, ok := st.Dialect().(*Dialect)
	if !ok {
		t.Fatalf("dialect %T", st.Dialect())
	}
	return d
}

// A restart cuts every pooled connection: the store works again at once,
// without being reopened, for reads and writes.
func TestStoreWorksAgainAfterTheServerRestarts(t *testing.T) {
	srv := pgtest.New(t)
	ctx := context.Background()
	st := openAt(t, srv.NewDB(t))
	for i := range 4 { // several pooled connections, all cut by the restart
		if _, err := st.AddMember(ctx, member(fmt.Sprintf("m%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { st.Members(ctx) })
	}
	wg.Wait()
	srv.Restart(t)
	ms, err := st.Members(ctx)
	if err != nil || len(ms) != 4 {
		t.Fatalf("read after a restart: %d members, %v", len(ms), err)
	}
	if _, err := st.AddMember(ctx, member("after")); err != nil {
		t.Fatalf("write after a restart: %v", err)
	}
	srv.Restart(t)
	// Right away, a write first.
	if _, err := st.AddMember(ctx, member("again")); err != nil {
		t.Fatalf("write right after a second restart: %v", err)
	}
	if ms, err := st.Members(ctx); err != nil || len(ms) != 6 {
		t.Fatalf("after two restarts: %d members, %v", len(ms), err)
	}
}

// Writers racing on one incident: SERIALIZABLE makes some of them fail
// and run again; every entry is there once, and the retries are counted.
func TestRacingWritersAreRetriedNotLost(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	st := openAt(t, dsn)
	if _, err := st.AddMember(ctx, member("amelie")); err != nil {
		t.Fatal(err)
	}
	in, err := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "garage down", Severity: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Four processes, five writers each.
	stores := []*sqlstore.Store{st, openAt(t, dsn), openAt(t, dsn), openAt(t, dsn)}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 20 {
		s := stores[w%len(stores)]
		wg.Go(func() {
			for i := range 5 {
				if _, err := s.AddEntry(ctx, in.ID, "amelie", oncall.KindObservation, fmt.Sprintf("w%d-%d", w, i)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a writer failed: %v", err)
	}
	es, err := st.Entries(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range es {
		if e.Kind == oncall.KindObservation {
			seen[e.Text]++
		}
	}
	if len(seen) != 100 {
		t.Fatalf("%d distinct entries, want 100", len(seen))
	}
	for text, n := range seen {
		if n != 1 {
			t.Fatalf("entry %s written %d times: a retry duplicated it", text, n)
		}
	}
	var retries int64
	for _, s := range stores {
		retries += dialectOf(t, s).Retries()
	}
	t.Logf("%d retries for 100 racing writes", retries)
}

// Changes keeps delivering after the server restarts: first a Change
// without a table (notifications were missed), then each commit's.
func TestChangesAfterTheServerRestarts(t *testing.T) {
	srv := pgtest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dsn := srv.NewDB(t)
	st := openAt(t, dsn)
	other := openAt(t, dsn)
	ch := st.Changes(ctx)
	if _, err := other.AddMember(ctx, member("lucas")); err != nil {
		t.Fatal(err)
	}
	waitTable(t, ch, "members", 5*time.Second)
	srv.Restart(t)
	waitTable(t, ch, "", 15*time.Second)
	// While the server was away the store may have said so (a Change of
	// its own when it turned read-only); once writable again, what is
	// pending is let go, and the next commit's Change is what must come.
	deadline := time.Now().Add(15 * time.Second)
	for !st.NoPrimarySince().IsZero() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	drain(ch, 300*time.Millisecond)
	if _, err := other.AddMember(ctx, member("chloe")); err != nil {
		t.Fatal(err)
	}
	waitTable(t, ch, "members", 5*time.Second)
	cancel()
	select {
	case _, ok := <-ch:
		for ok {
			_, ok = <-ch
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Changes not closed when its context ended")
	}
}

func waitTable(t *testing.T, ch <-chan oncall.Change, table string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case c, ok := <-ch:
			if !ok {
				t.Fatal("Changes closed")
			}
			if c.Table == table {
				return
			}
		case <-deadline:
			t.Fatalf("no change of %q within %v", table, within)
		}
	}
}

// The DSN's password never shows: not in Describe, not in an error.
func TestPasswordNeverShown(t *testing.T) {
	dsn := pgtest.DSN(t)
	bad := strings.Replace(dsn, "entretien@", "entretien:hunter2secret@", 1)
	_, err := Open(context.Background(), bad)
	if err == nil {
		t.Fatal("a wrong password was accepted")
	}
	if strings.Contains(err.Error(), "hunter2secret") || !strings.Contains(err.Error(), "entretien@127.0.0.1") {
		t.Fatalf("the error shows the password, or not where: %v", err)
	}
	// Given in the DSN (the password is wrong, but is it shown?) and on a
	// store that opened: Describe drops it.
	st := openAt(t, dsn)
	d := &Dialect{dsn: bad}
	if strings.Contains(d.Describe(), "hunter2secret") || d.Describe() != st.Describe() {
		t.Errorf("Describe() = %q, want %q", d.Describe(), st.Describe())
	}
	if _, err := Open(context.Background(), "host=127.0.0.1 port=1 password=hunter2secret connect_timeout=2"); err == nil || strings.Contains(err.Error(), "hunter2secret") {
		t.Fatalf("unreachable server: %v", err)
	}
}

// A streaming standby: Status says so, with the replay lag once it
// replayed a commit; the primary lists it; a store opens on it (its schema
// is up to date, nothing to write) and its writes fail, unretried.
func TestStandby(t *testing.T) {
	ctx := context.Background()
	prim := pgtest.New(t)
	dsn := prim.NewDB(t)
	st := openAt(t, dsn)
	sb := prim.NewStandby(t)
	sdsn := sb.URL(pgtest.DBName(dsn))
	if _, err := st.AddMember(ctx, member("amelie")); err != nil {
		t.Fatal(err)
	}
	ro := openAt(t, sdsn)
	deadline := time.Now().Add(20 * time.Second)
	for {
		ms, err := ro.Members(ctx)
		if err == nil && len(ms) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the standby never replayed the member: %v %v", ms, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	v, ss, err := Inspect(ctx, sdsn)
	if err != nil || v != KnownVersion() || ss.ReplayLag == nil {
		t.Fatalf("standby: version %d, %+v, %v", v, ss, err)
	}
	if !ss.Standby || len(ss.Replicas) != 0 {
		t.Errorf("standby status %+v", ss)
	}
	_, ps, err := Inspect(ctx, dsn)
	if err != nil || ps.Standby || len(ps.Replicas) != 1 {
		t.Errorf("primary status %+v, %v: want one replica", ps, err)
	}
	if _, err := ro.AddMember(ctx, member("lucas")); !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "target_session_attrs=read-write") {
		t.Fatalf("a write on the standby: %v", err)
	}
	if n := dialectOf(t, ro).Retries(); n != 0 {
		t.Errorf("%d retries of a write a standby refuses", n)
	}
}

// A write while the server is down (a restart, a failover) waits for it
// and lands once; with several hosts, so does opening the store.
func TestWritesAndOpenWaitForTheServer(t *testing.T) {
	ctx := context.Background()
	srv := pgtest.New(t)
	dsn := srv.NewDB(t)
	st := openAt(t, dsn)
	srv.Stop(t)
	done := make(chan error, 1)
	go func() {
		_, err := st.AddMember(ctx, member("late"))
		done <- err
	}()
	multi := fmt.Sprintf("host=127.0.0.1,127.0.0.1 port=1,%d dbname=%s user=%s passfile=%s sslmode=disable target_session_attrs=read-write",
		srv.Port(), pgtest.DBName(dsn), pgtest.User, srv.PassFile())
	opened := make(chan error, 1)
	go func() {
		st2, err := Open(ctx, multi)
		if err == nil {
			st2.Close()
		}
		opened <- err
	}()
	t0 := time.Now()
	if _, err := Open(ctx, dsn); err == nil || time.Since(t0) > 5*time.Second {
		t.Fatalf("one host, down: opened (%v) after %v; want a prompt error", err, time.Since(t0))
	}
	time.Sleep(time.Second)
	select {
	case err := <-done:
		t.Fatalf("the write gave up while the server was down: %v", err)
	case err := <-opened:
		t.Fatalf("the store on several hosts gave up while the server was down: %v", err)
	default:
	}
	srv.Start(t)
	for _, ch := range []chan error{done, opened} {
		select {
		case err := <-ch:
			if err != nil {
				t.Fatalf("after the server came back: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("still waiting 30 s after the server came back")
		}
	}
	if n := dialectOf(t, st).Reconnects(); n == 0 {
		t.Error("no reconnect counted")
	}
	ms, err := st.Members(ctx)
	if err != nil || len(ms) != 1 {
		t.Fatalf("members %v, %v: want the late one, once", ms, err)
	}
}

// drain reads what Changes delivers until it is quiet for d.
func drain(ch <-chan oncall.Change, d time.Duration) {
	for {
		select {
		case <-ch:
		case <-time.After(d):
			return
		}
	}
}
