package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"codeberg.org/entretien/entretien/sources"
)

// first measures, n times, how long a new sources.Watcher takes to its
// first snapshot with Nomad data, with Consul data, and with both (the
// first frame with data cannot come sooner), against NOMAD_ADDR and
// CONSUL_HTTP_ADDR.
func first(ctx context.Context, n int) error {
	var nomadT, consulT, bothT []time.Duration
	for range n {
		w, err := sources.New(sources.Config{NomadAddr: os.Getenv("NOMAD_ADDR"), ConsulAddr: os.Getenv("CONSUL_HTTP_ADDR"), SiteKey: "meta.site"})
		if err != nil {
			return err
		}
		wctx, stop := context.WithTimeout(ctx, 30*time.Second)
		t0 := time.Now()
		go w.Run(wctx)
		var tn, tc time.Duration
		for tn == 0 || tc == 0 {
			select {
			case <-wctx.Done():
				stop()
				return fmt.Errorf("no data within 30 s")
			case <-w.Updates():
			}
			s := w.Snapshot()
			if tn == 0 && !s.Nomad.Stale() {
				tn = time.Since(t0)
			}
			if tc == 0 && !s.Consul.Stale() {
				tc = time.Since(t0)
			}
		}
		stop()
		nomadT, consulT, bothT = append(nomadT, tn), append(consulT, tc), append(bothT, max(tn, tc))
		sleep(ctx, 200*time.Millisecond)
	}
	med := func(d []time.Duration) string {
		slices.Sort(d)
		return fmt.Sprintf("%.1f/%.1f/%.1f ms", ms(d[0]), ms(d[len(d)/2]), ms(d[len(d)-1]))
	}
	fmt.Printf("first snapshot over %d runs (min/median/max): nomad %s, consul %s, both %s\n", n, med(nomadT), med(consulT), med(bothT))
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
