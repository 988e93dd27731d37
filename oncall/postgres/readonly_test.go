package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/pgtest"
	"codeberg.org/entretien/entretien/oncall"
)

// Between primaries the store stays readable: with the primary stopped,
// reads come from the streaming standby, the store says since when no
// primary answered and tells its Changes' subscribers; a write says why it
// waits and lands once the primary is back, which makes the store
// writable again.
func TestReadsFromAStandbyWhileNoPrimary(t *testing.T) {
	ctx := context.Background()
	prim := pgtest.New(t)
	dsn := prim.NewDB(t)
	if _, err := openAt(t, dsn).AddMember(ctx, member("amelie")); err != nil {
		t.Fatal(err)
	}
	sb := prim.NewStandby(t)
	db := pgtest.DBName(dsn)
	multi := fmt.Sprintf("host=127.0.0.1,127.0.0.1 port=%d,%d dbname=%s user=%s passfile=%s sslmode=disable target_session_attrs=read-write connect_timeout=2",
		prim.Port(), sb.Port(), db, pgtest.User, prim.PassFile())
	st := openAt(t, multi)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changes := st.Changes(cctx)
	if !oncall.ReadOnlySince(st).IsZero() {
		t.Fatal("read-only with a primary")
	}

	prim.Stop(t)
	ms, err := st.Members(ctx)
	if err != nil || len(ms) != 1 || ms[0].Handle != "amelie" {
		t.Fatalf("members without a primary: %v, %v", ms, err)
	}
	since := oncall.ReadOnlySince(st)
	if since.IsZero() {
		t.Fatal("no primary, yet the store does not say it is read-only")
	}
	select {
	case <-changes:
	case <-time.After(10 * time.Second):
		t.Fatal("no Change told the subscriber that the store turned read-only")
	}

	var mu sync.Mutex
	var told []string
	wctx := oncall.WithWaitNotice(ctx, func(why string) { mu.Lock(); told = append(told, why); mu.Unlock() })
	done := make(chan error, 1)
	go func() {
		_, err := st.AddMember(wctx, member("lucas"))
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(told)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a waiting write never said why")
		}
		time.Sleep(20 * time.Millisecond)
	}
	prim.Start(t)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("the write still waits 40 s after the primary came back")
	}
	if got := oncall.ReadOnlySince(st); !got.IsZero() {
		t.Errorf("read-only since %v after a write went through", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(told) != 1 || !strings.Contains(told[0], "no primary") || strings.Contains(told[0], "password") {
		t.Errorf("told %q: want one notice naming the lost primary", told)
	}
}
