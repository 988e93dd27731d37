package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/pgcluster"
	"codeberg.org/entretien/entretien/internal/pgcluster/pgclustertest"
)

func psqlOn(t *testing.T, pg *pgcluster.Cluster, dsn, sql string) string {
	t.Helper()
	out, err := pg.Psql(dsn, sql)
	if err != nil {
		t.Fatalf("psql %q: %v: %s", sql, err, out)
	}
	return out
}

// psqlRetry is psqlOn for a member that may be restarting: it asks for up
// to a minute.
func psqlRetry(t *testing.T, pg *pgcluster.Cluster, dsn, sql string) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		out, err := pg.Psql(dsn, sql)
		if err == nil {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("psql %q: %v: %s", sql, err, out)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// A bastion per site, the primary's site going dark in the middle of the
// collective's writing: four members post 250 notes each through the real
// binary on a multi-host DSN; after the first 400 the primary's Patroni
// and PostgreSQL are SIGKILLed, Patroni promotes the sync standby, the
// writers go on. Every note whose `incident note` exited 0 is there exactly
// once; a note that failed said so on stderr and is there at most once;
// the killed member, restarted, follows the new primary.
func TestFailoverLosesNoAcknowledgedNote(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Patroni-managed PostgreSQL members")
	}
	pg, env := pgCollective(t)
	ctx := context.Background()

	const writers, each, killAfter = 4, 250, 400
	var (
		posted  atomic.Int64
		mu      sync.Mutex
		acked   = map[string]bool{}
		failed  = map[string]string{}
		killed  = make(chan struct{})
		wg      sync.WaitGroup
		slowest time.Duration
	)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				text := fmt.Sprintf("w%d-%03d", w, i)
				start := time.Now()
				out, code := noteThroughBinary(env, text)
				took := time.Since(start)
				mu.Lock()
				slowest = max(slowest, took)
				if code == 0 {
					acked[text] = true
				} else {
					failed[text] = fmt.Sprintf("exit %d: %s", code, out)
				}
				mu.Unlock()
				if posted.Add(1) == killAfter {
					close(killed)
				}
			}
		})
	}
	<-killed
	first, err := pg.Primary(ctx)
	if err != nil || first == "" {
		t.Fatalf("primary before the kill: %q, %v", first, err)
	}
	if err := pg.Kill(first); err != nil {
		t.Fatal(err)
	}
	darkAt := time.Now()
	next, err := pg.WaitPrimary(ctx, first, 3*pg.TTL())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s dark; %s promoted after %s (ttl %s)", first, next, time.Since(darkAt).Round(100*time.Millisecond), pg.TTL())
	wg.Wait()
	t.Logf("%d notes acknowledged, %d reported failed; slowest note %s", len(acked), len(failed), slowest.Round(time.Millisecond))

	counts := map[string]int{}
	for _, line := range strings.Split(psqlOn(t, pg, pg.DSN("entretien"), "SELECT text, count(*) FROM entries WHERE text LIKE 'w%-%' GROUP BY text"), "\n") {
		text, n, ok := strings.Cut(line, "|")
		if ok {
			var c int
			fmt.Sscan(n, &c)
			counts[text] = c
		}
	}
	for text := range acked {
		if counts[text] != 1 {
			t.Errorf("acknowledged note %s is there %d times", text, counts[text])
		}
	}
	for text, why := range failed {
		t.Logf("note %s reported: %s", text, why)
		if counts[text] > 1 {
			t.Errorf("failed note %s is there %d times", text, counts[text])
		}
		if !strings.Contains(why, "entretien:") {
			t.Errorf("note %s failed without saying why: %s", text, why)
		}
	}
	for text, n := range counts {
		if !acked[text] && failed[text] == "" {
			t.Errorf("note %s is there %d times but no writer posted it", text, n)
		}
	}
	// Failing is allowed only as a report; the retry is what is expected.
	if len(failed) > writers {
		t.Errorf("%d notes failed (more than one in flight per writer at the kill): %v", len(failed), failed)
	}

	if err := pg.Restart(first); err != nil {
		t.Fatal(err)
	}
	err = pg.WaitState(ctx, first+" following "+next, 2*time.Minute, func(ms []pgcluster.Member) bool {
		for _, m := range ms {
			if m.Name == first {
				return m.Role != "leader" && (m.State == "running" || m.State == "streaming")
			}
		}
		return false
	})
	if err != nil {
		t.Fatal(err)
	}
	// db status and doctor below wait for it to be the sync standby; Patroni
	// may restart it once more on the way (pg_rewind onto the new timeline).

	// db status and doctor name every member as Patroni publishes it.
	penv := append(env, "CONSUL_HTTP_ADDR="+pg.ConsulAddr(), "ENTRETIEN_PATRONI_SCOPE="+pg.Scope())
	var doc struct {
		Server struct {
			Role string `json:"role"`
		} `json:"server"`
		Members []struct {
			Name, Role, State string
			Timeline          int
		} `json:"members"`
	}
	err = pg.WaitState(ctx, first+" sync standby", time.Minute, func(ms []pgcluster.Member) bool {
		for _, m := range ms {
			if m.Name == first {
				return m.Role == "sync_standby"
			}
		}
		return false
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := psqlRetry(t, pg, pg.MemberDSN(first, "entretien"), "SELECT pg_is_in_recovery()"); got != "t" {
		t.Errorf("%s restarted: in recovery = %q, want a standby", first, got)
	}
	out, code := runBin(t, penv, "db", "status", "--json")
	if code != 0 {
		t.Fatalf("db status: exit %d: %s", code, out)
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("db status --json: %v: %s", err, out)
	}
	roles := map[string]string{}
	for _, m := range doc.Members {
		roles[m.Name] = m.Role
		if m.Timeline < 2 {
			t.Errorf("member %+v: a failover moves the timeline past 1", m)
		}
	}
	if doc.Server.Role != "primary" || roles[next] != "primary" || roles[first] != "sync standby" || len(roles) != 2 {
		t.Errorf("db status: server %q, members %v; want %s primary, %s sync standby", doc.Server.Role, roles, next, first)
	}
	out, code = runBin(t, penv, "doctor")
	if !strings.Contains(out, "database members") || !strings.Contains(out, next+" primary running") {
		t.Errorf("doctor (exit %d) lacks the members:\n%s", code, out)
	}
}

// pgCollective is a Patroni cluster of two sites holding a collective of
// one member (the test's OS user) and one open incident, and the
// environment that points the binary at it.
func pgCollective(t *testing.T) (*pgcluster.Cluster, []string) {
	t.Helper()
	pg := pgclustertest.Require(t, pgcluster.Options{})
	psqlOn(t, pg, pg.DSN("postgres"), "CREATE DATABASE entretien")
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"ENTRETIEN_DB=" + pg.DSN("entretien"), "PGPASSFILE=" + pg.PassFile(),
		"NOMAD_ADDR=" + deadNomad, "CONSUL_HTTP_ADDR=" + deadConsul}
	for _, args := range [][]string{
		{"member", "add", "--handle", "ana", "--name", "Ana", "--tz", "Europe/Paris", "--os-user", me.Username},
		{"incident", "open", "--sev", "2", "--title", "a tree fell on the paris line"},
	} {
		if out, code := runBin(t, env, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, out)
		}
	}
	return pg, env
}

// The TUI open through a failover: read-only while no primary answers,
// then writable again by itself, and what another member wrote meanwhile
// on the new primary shows without a restart.
func TestTUIThroughAFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Patroni-managed PostgreSQL members")
	}
	pg, env := pgCollective(t)
	ctx := context.Background()
	s := startTmux(t, 160, 32, env)
	s.keys("8") // the incidents
	s.waitFor(20*time.Second, "a tree fell on the paris line", "you: ana")
	first, err := pg.Primary(ctx)
	if err != nil || first == "" {
		t.Fatalf("primary: %q, %v", first, err)
	}
	if err := pg.Kill(first); err != nil {
		t.Fatal(err)
	}
	s.waitFor(30*time.Second, "read-only: no primary since")
	if _, err := pg.WaitPrimary(ctx, first, 3*pg.TTL()); err != nil {
		t.Fatal(err)
	}
	if out, code := runBin(t, env, "incident", "open", "--sev", "3", "--title", "written on the new primary"); code != 0 {
		t.Fatalf("incident open after the failover: exit %d: %s", code, out)
	}
	screen := s.waitFor(30*time.Second, "written on the new primary")
	deadline := time.Now().Add(15 * time.Second)
	for strings.Contains(screen, "read-only") && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		screen = s.capture()
	}
	if strings.Contains(screen, "read-only") {
		t.Fatalf("still read-only with a new primary:\n%s", screen)
	}
}

func noteThroughBinary(env []string, text string) (string, int) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "incident", "note", "1", "--", text)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		return err.Error(), -1
	}
	return out.String(), 0
}
