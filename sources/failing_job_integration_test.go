package sources

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestIntegrationFailingJobOutage: the seeded backup job in paris fails a
// second after each start and is rescheduled every 10 s, forever. It is
// one steady outage (job backup in paris, failed), present in every
// snapshot through several reschedules with the same Since, so that it can
// last long enough to page; and it names the failing allocation.
func TestIntegrationFailingJobOutage(t *testing.T) {
	c := integrationCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := c.SeedJobs(ctx); err != nil {
		t.Fatal(err)
	}
	w, err := New(Config{NomadAddr: c.NomadAddr(), ConsulAddr: c.ConsulAddr(), SiteKey: "meta.site"})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	if err := c.WaitSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	backup := func(s *Snapshot) (Outage, bool) {
		for _, o := range s.Outages {
			if o.Kind == "job" && o.Name == "backup" {
				return o, true
			}
		}
		return Outage{}, false
	}
	first := waitFor(t, w, 60*time.Second, "backup outage", func(s *Snapshot) string {
		if _, ok := backup(s); !ok {
			return fmt.Sprintf("outages %+v", s.Outages)
		}
		return ""
	})
	o0, _ := backup(first)
	if o0.Site != "paris" || (o0.Status != "failed" && o0.Status != SiteDegraded) || o0.Since.IsZero() || !strings.Contains(o0.Detail, "alloc ") {
		t.Errorf("backup outage = %+v, want failed in paris since a known time, naming its alloc", o0)
	}
	// 35 s: three reschedules at least, with restarts between.
	allocs := map[string]bool{o0.AllocID: true}
	deadline := time.After(35 * time.Second)
	snaps := 0
	for {
		select {
		case <-deadline:
			if snaps < 5 || len(allocs) < 2 {
				t.Errorf("watched %d snapshots, %d failing allocs: the job did not churn", snaps, len(allocs))
			}
			return
		case <-w.Updates():
		}
		s := w.Snapshot()
		snaps++
		o, ok := backup(s)
		if !ok {
			t.Fatalf("snapshot %d (%s): the backup outage went away; outages %+v", snaps, s.Taken.Format(time.TimeOnly), s.Outages)
		}
		// While a replacement restarts before it fails, the chain may read
		// degraded (seen on a loaded CI machine); it stays one outage with
		// one start, which is what paging keys on.
		if (o.Status != "failed" && o.Status != SiteDegraded) || !o.Since.Equal(o0.Since) || o.Site != "paris" {
			t.Fatalf("snapshot %d: backup outage %+v, want failed (or degraded) in paris since %s", snaps, o, o0.Since)
		}
		allocs[o.AllocID] = true
		if st, _ := s.SiteByName("paris"); st.Status != SiteDegraded {
			t.Fatalf("paris = %s, want degraded", st.Status)
		}
	}
}
