// Command failover measures how long the collective cannot write when the
// primary's site goes dark: two Patroni-managed PostgreSQL members on
// loopback (internal/pgcluster), the primary's Patroni and PostgreSQL
// SIGKILLed, and the real binary posting a note every 100 ms through the
// multi-host DSN until one is acknowledged. Over -trials (default 5), each
// after the killed member is back as a sync standby, it prints the time
// from the kill to the first acknowledged note and to Patroni's promotion,
// beside the TTL Patroni was configured with. Not part of `make test`:
// `make bench-failover`, or `go run ./bench/failover -bin bin/entretien`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/pgcluster"
)

func main() {
	bin := flag.String("bin", "bin/entretien", "the entretien binary")
	trials := flag.Int("trials", 5, "how many failovers")
	ttl := flag.Int("ttl", 20, "Patroni's leader TTL in seconds (20 is Consul's floor)")
	flag.Parse()
	if err := run(*bin, *trials, *ttl); err != nil {
		fmt.Fprintln(os.Stderr, "failover:", err)
		os.Exit(1)
	}
}

func run(bin string, trials, ttl int) error {
	ctx := context.Background()
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	c, err := pgcluster.Start(ctx, pgcluster.Options{AgentsDir: devcluster.AgentsDir(), TTL: ttl, Log: os.Stderr})
	if err != nil {
		return err
	}
	defer c.Stop()
	if out, err := c.Psql(c.DSN("postgres"), "CREATE DATABASE entretien"); err != nil {
		return fmt.Errorf("create database: %v: %s", err, out)
	}
	me, err := user.Current()
	if err != nil {
		return err
	}
	env := append(os.Environ(), "ENTRETIEN_DB="+c.DSN("entretien"), "PGPASSFILE="+c.PassFile(),
		"NOMAD_ADDR=http://127.0.0.1:9", "CONSUL_HTTP_ADDR=127.0.0.1:9")
	for _, args := range [][]string{
		{"member", "add", "--handle", "ana", "--name", "Ana", "--tz", "Europe/Paris", "--os-user", me.Username},
		{"incident", "open", "--sev", "2", "--title", "failover bench"},
	} {
		if out, err := entretien(bin, env, args...); err != nil {
			return fmt.Errorf("%v: %v: %s", args, err, out)
		}
	}

	var toWrite, toPromote []time.Duration
	for i := range trials {
		first, err := c.Primary(ctx)
		if err != nil || first == "" {
			return fmt.Errorf("trial %d: no primary: %v", i+1, err)
		}
		if err := c.Kill(first); err != nil {
			return err
		}
		dark := time.Now()
		promoted := make(chan time.Duration, 1)
		go func() {
			if _, err := c.WaitPrimary(ctx, first, time.Duration(3*ttl)*time.Second); err == nil {
				promoted <- time.Since(dark)
			}
			close(promoted)
		}()
		var wrote time.Duration
		for n := 0; ; n++ {
			// A member running `incident note` just after the kill: it
			// waits for a primary by itself, and returns once written.
			actx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			_, err := entretienCtx(actx, bin, env, "incident", "note", "1", "--", fmt.Sprintf("trial %d attempt %d", i+1, n))
			cancel()
			if err == nil {
				wrote = time.Since(dark)
				break
			}
			if time.Since(dark) > time.Duration(4*ttl)*time.Second {
				return fmt.Errorf("trial %d: no write %s after the kill: %v", i+1, time.Since(dark), err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		p, ok := <-promoted
		if !ok {
			return fmt.Errorf("trial %d: no promotion", i+1)
		}
		toWrite, toPromote = append(toWrite, wrote), append(toPromote, p)
		fmt.Printf("trial %d: %s killed; promotion after %s, first note acknowledged after %s\n", i+1, first,
			p.Round(100*time.Millisecond), wrote.Round(100*time.Millisecond))
		if err := c.Restart(first); err != nil {
			return err
		}
		if err := c.WaitState(ctx, first+" back as sync standby", 3*time.Minute, func(ms []pgcluster.Member) bool {
			for _, m := range ms {
				if m.Name == first {
					return m.Role == "sync_standby" && (m.State == "running" || m.State == "streaming")
				}
			}
			return false
		}); err != nil {
			return err
		}
	}
	fmt.Printf("\n%d failovers, Patroni ttl %ds (loop_wait 5, retry_timeout 5), 2 members on loopback, %s:\n", trials, ttl, machine())
	fmt.Printf("  kill → promotion:           p50 %s, max %s (%.2f× ttl)\n", p50(toPromote), slices.Max(toPromote).Round(100*time.Millisecond), p50(toPromote).Seconds()/float64(ttl))
	fmt.Printf("  kill → first note written:  p50 %s, max %s (%.2f× ttl)\n", p50(toWrite), slices.Max(toWrite).Round(100*time.Millisecond), p50(toWrite).Seconds()/float64(ttl))
	return nil
}

func p50(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2].Round(100 * time.Millisecond)
}

func machine() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return fmt.Sprintf("%d cores", strings.Count(string(b), "processor\t:"))
}

func entretien(bin string, env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return entretienCtx(ctx, bin, env, args...)
}

func entretienCtx(ctx context.Context, bin string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}
