package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"
	"codeberg.org/entretien/entretien/internal/pager/pagertest"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// BenchmarkPageLatency measures, on the dev cluster with one watcher and a
// real SMTP server, the time from a check broken to the page in the
// mailbox, beyond the policy's after (1s): each iteration breaks the
// check, waits for the email, repairs it and waits for the outage to end.
// It includes Consul's check interval (1s). Run with -benchtime=10x; it
// reports the p50 and the max.
//
//	flock /tmp/entretien-agents.lock go test ./cmd/entretien -run '^$' -bench PageLatency -benchtime=10x
func BenchmarkPageLatency(b *testing.B) {
	c := devclustertest.Require(b, devcluster.Options{})
	smtp := pagertest.StartSMTP(b)
	hook := pagertest.StartHook(b)
	db := pagingDB(b, hook.URL, strings.NewReplacer(`"3s"`, `"1s"`).Replace(testPolicy))
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	dir := b.TempDir()
	os.Chmod(dir, 0o755)
	okFile := filepath.Join(dir, "ok")
	os.WriteFile(okFile, []byte("ok\n"), 0o644)
	nc, _ := nomadapi.NewClient(&nomadapi.Config{Address: c.NomadAddr()})
	if _, _, err := nc.Jobs().Register(pagecheckJob(dir), nil); err != nil {
		b.Fatal(err)
	}
	cc, _ := consulapi.NewClient(&consulapi.Config{Address: c.ConsulAddr()})
	status := func() string {
		cs, _, err := cc.Health().Checks("pagecheck", nil)
		if err != nil || len(cs) == 0 {
			return ""
		}
		return cs.AggregatedStatus()
	}
	wait := func(d time.Duration, what string, ok func() bool) {
		deadline := time.Now().Add(d)
		for !ok() {
			if time.Now().After(deadline) {
				b.Fatalf("waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	wait(90*time.Second, "pagecheck passing", func() bool { return status() == consulapi.HealthPassing })
	w := startPagingWatch(b, c, db, smtp.Addr)
	wait(30*time.Second, "the watcher leading", w.leads)
	const after = time.Second
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := len(smtp.Messages())
		t0 := time.Now()
		os.Remove(okFile)
		wait(60*time.Second, "the page", func() bool {
			for _, m := range smtp.Messages()[n:] {
				if strings.HasPrefix(m.Subject, "DOWN service pagecheck") {
					return true
				}
			}
			return false
		})
		lat = append(lat, time.Since(t0)-after)
		b.StopTimer()
		os.WriteFile(okFile, []byte("ok\n"), 0o644)
		wait(60*time.Second, "the outage over", func() bool {
			os, _ := st.OpenPagedOutages(context.Background())
			return len(os) == 0 && status() == consulapi.HealthPassing
		})
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(lat[len(lat)/2].Seconds(), "p50-s-beyond-after")
	b.ReportMetric(lat[len(lat)-1].Seconds(), "max-s-beyond-after")
	b.Logf("latencies beyond after: %v", lat)
}
