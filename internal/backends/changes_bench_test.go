package backends

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/oncall"
)

// The writer process of BenchmarkNoteSeenByAnotherProcess: it opens the
// store named by ENTRETIEN_BENCH_WRITER, writes a note for every line on
// stdin and prints the time of each commit.
func TestHelperWriter(t *testing.T) {
	loc := os.Getenv("ENTRETIEN_BENCH_WRITER")
	if loc == "" {
		t.Skip("run by BenchmarkNoteSeenByAnotherProcess")
	}
	ctx := context.Background()
	var st oncall.Store
	var err error
	for _, b := range All() {
		if b.Name == os.Getenv("ENTRETIEN_BENCH_BACKEND") {
			st, err = b.openAt(ctx, loc)
		}
	}
	if st == nil || err != nil {
		t.Fatalf("open %s: %v", loc, err)
	}
	defer st.Close()
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if _, err := st.AddEntry(ctx, 1, "amelie", oncall.KindObservation, in.Text()); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("committed %d\n", time.Now().UnixNano())
	}
}

// A note posted by one process, seen through another process's
// Store.Changes: SQLite (its file watch) and PostgreSQL (NOTIFY) side by
// side. Reports the p50 and p95 from commit to Change (PostgreSQL's target:
// p50 ≤ 100 ms on loopback).
func BenchmarkNoteSeenByAnotherProcess(b *testing.B) {
	for _, be := range All() {
		b.Run(be.Name, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			st := be.Open(b)
			if _, err := st.AddMember(ctx, oncall.Member{Handle: "amelie", Name: "A", TZ: "Europe/Paris"}); err != nil {
				b.Fatal(err)
			}
			if _, err := st.OpenIncident(ctx, "amelie", oncall.NewIncident{Title: "bench", Severity: 3}); err != nil {
				b.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$")
			cmd.Env = append(os.Environ(), "ENTRETIEN_BENCH_WRITER="+be.Locator(st), "ENTRETIEN_BENCH_BACKEND="+be.Name)
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			defer func() { stdin.Close(); cmd.Wait() }()
			out := bufio.NewScanner(stdout)
			changes := st.Changes(ctx)
			quiet := func() { // nothing pending before the next note
				for {
					select {
					case <-changes:
					case <-time.After(50 * time.Millisecond):
						return
					}
				}
			}
			var lat, total []time.Duration
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				quiet()
				b.StartTimer()
				asked := time.Now()
				fmt.Fprintf(stdin, "note %d\n", i)
				var seen time.Time
				select {
				case <-changes:
					seen = time.Now()
				case <-time.After(10 * time.Second):
					b.Fatal("no change within 10 s")
				}
				var committed int64
				for out.Scan() {
					if v, ok := strings.CutPrefix(out.Text(), "committed "); ok {
						committed, _ = strconv.ParseInt(v, 10, 64)
						break
					}
				}
				if committed == 0 {
					b.Fatal("the writer died")
				}
				lat = append(lat, seen.Sub(time.Unix(0, committed)))
				total = append(total, seen.Sub(asked))
			}
			q := func(ds []time.Duration, p float64) float64 {
				slices.Sort(ds)
				return float64(ds[int(p*float64(len(ds)-1))]) / float64(time.Millisecond)
			}
			// From the writer's commit (NOTIFY may beat the writer's own
			// acknowledgement: near zero), and from asking the writer.
			b.ReportMetric(q(lat, 0.5), "p50-ms")
			b.ReportMetric(q(lat, 0.95), "p95-ms")
			b.ReportMetric(q(total, 0.5), "write+seen-p50-ms")
		})
	}
}
