package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// vitrineJob serves its task dir in lyon with a Consul HTTP check on /ok:
// the file exists for breakAfter, then the task removes it, so the check
// goes passing → critical while the incident is open.
func vitrineJob(breakAfter time.Duration) *nomadapi.Job {
	j := nomadapi.NewServiceJob("vitrine", "vitrine", "global", 50)
	j.Datacenters = []string{"lyon"}
	g := nomadapi.NewTaskGroup("lyon", 1)
	g.Constrain(nomadapi.NewConstraint("${node.datacenter}", "=", "lyon"))
	g.Networks = []*nomadapi.NetworkResource{{DynamicPorts: []nomadapi.Port{{Label: "http"}}}}
	g.Services = []*nomadapi.Service{{
		Name: "vitrine", PortLabel: "http", Provider: "consul",
		Checks: []nomadapi.ServiceCheck{{Type: "http", Path: "/ok", Interval: time.Second, Timeout: time.Second}},
	}}
	script := `echo ok > "$NOMAD_TASK_DIR/ok"; (sleep ` + itoaDur(breakAfter) + `; rm -f "$NOMAD_TASK_DIR/ok") & ` +
		`exec /usr/bin/python3 -m http.server "$NOMAD_PORT_http" --bind "$NOMAD_IP_http" --directory "$NOMAD_TASK_DIR"`
	t := nomadapi.NewTask("web", "raw_exec").
		SetConfig("command", "/bin/sh").
		SetConfig("args", []string{"-c", script})
	cpu, mem := 50, 64
	t.Require(&nomadapi.Resources{CPU: &cpu, MemoryMB: &mem})
	return j.AddTaskGroup(g.AddTask(t))
}

func itoaDur(d time.Duration) string { return strings.TrimSuffix(d.Round(time.Second).String(), "s") }

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// An incident is open on service/vitrine; two `entretien watch` processes
// follow the real dev cluster; vitrine's check breaks; the transition
// lands in the incident's timeline as one system entry.
func TestWatchRecordsABrokenCheckIntoTheOpenIncident(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	c := devclustertest.Require(t, devcluster.Options{})
	db := seededDB(t)
	out, code := runBin(t, nil, "incident", "open", "--db", db, "--sev", "2", "--title", "vitrine check failing",
		"--affects", "service/vitrine,job/vitrine")
	if code != 0 || !strings.Contains(out, "opened incident #2") {
		t.Fatalf("incident open: %d %s", code, out)
	}

	// An incident on something else in another site: it must stay quiet.
	if out, code := runBin(t, nil, "incident", "open", "--db", db, "--sev", "3", "--title", "backup failing",
		"--affects", "job/backup,site/paris"); code != 0 {
		t.Fatalf("incident open: %d %s", code, out)
	}

	var logs []*lockedBuffer
	for i := 0; i < 2; i++ {
		cmd := exec.Command(bin, "watch", "--db", db, "--nomad-addr", c.NomadAddr(), "--consul-addr", c.ConsulAddr())
		buf := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = buf, buf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		logs = append(logs, buf)
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("watch %d exited with %v:\n%s", i, err, buf.String())
				}
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Errorf("watch %d did not stop on SIGTERM", i)
			}
		})
	}
	time.Sleep(2 * time.Second) // both watchers have their first snapshot

	nc, err := nomadapi.NewClient(&nomadapi.Config{Address: c.NomadAddr()})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := nc.Jobs().Register(vitrineJob(15*time.Second), nil); err != nil {
		t.Fatal(err)
	}

	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	deadline := time.Now().Add(2 * time.Minute)
	var found oncall.Entry
	for found.ID == 0 {
		if time.Now().After(deadline) {
			es, _ := st.Entries(context.Background(), 2)
			t.Fatalf("no passing → critical transition of service/vitrine recorded; journal %+v\nwatch 0:\n%s", es, logs[0].String())
		}
		time.Sleep(500 * time.Millisecond)
		es, err := st.Entries(context.Background(), 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Kind == oncall.KindSystem && strings.Contains(e.Text, "check service/vitrine passing → critical") {
				found = e
			}
		}
	}
	if found.Author != "" || !strings.Contains(found.Text, "(lyon)") || !strings.HasPrefix(found.Text, "consul: ") {
		t.Errorf("system entry %+v", found)
	}
	caps, err := st.CapturedTransitions(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, cp := range caps {
		if keys[cp.Key] {
			t.Errorf("transition %s recorded twice", cp.Key)
		}
		keys[cp.Key] = true
		if !strings.HasPrefix(cp.RecordedBy, "watch@") || cp.At.IsZero() {
			t.Errorf("captured row %+v", cp)
		}
	}
	es, _ := st.Entries(context.Background(), 2)
	system := 0
	for _, e := range es {
		if e.Kind == oncall.KindSystem {
			system++
		}
	}
	if system != len(caps) {
		t.Errorf("%d system entries for %d captured transitions: a watcher wrote twice", system, len(caps))
	}
	// The seeded incident (#1) affects site/lyon: it gets vitrine's
	// transitions too. #3 (job/backup, site/paris) gets none.
	lyon := false
	for _, e := range mustEntriesCLI(t, st, 1) {
		lyon = lyon || (e.Kind == oncall.KindSystem && strings.Contains(e.Text, "service/vitrine passing → critical (lyon)"))
	}
	if !lyon {
		t.Errorf("the incident on site/lyon did not get the lyon check's transition")
	}
	for _, e := range mustEntriesCLI(t, st, 3) {
		if strings.Contains(e.Text, "vitrine") {
			t.Errorf("vitrine transition recorded into the paris backup incident: %+v", e)
		}
	}
	both := logs[0].String() + logs[1].String()
	if !strings.Contains(both, `msg="transition recorded" incident=2 `) || !strings.Contains(both, `text="consul: check service/vitrine`) {
		t.Errorf("no watcher logged the recorded entry:\n%s", both)
	}
	if _, _, err := nc.Jobs().Deregister("vitrine", true, nil); err != nil {
		t.Log(err)
	}
}

func mustEntriesCLI(t *testing.T, st oncall.Store, id int64) []oncall.Entry {
	t.Helper()
	es, err := st.Entries(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// logLine is one line of `watch --log-format json` (log/slog's JSON handler).
type logLine struct {
	Time    time.Time `json:"time"`
	Level   string    `json:"level"`
	Msg     string    `json:"msg"`
	Backend string    `json:"backend"`
	Addr    string    `json:"addr"`
	State   string    `json:"state"`
	Err     string    `json:"err"`
	Nomad   string    `json:"nomad"`
	Consul  string    `json:"consul"`
	DB      string    `json:"db"`
}

// startWatch runs `entretien watch --log-format json` and returns its
// decoded log so far (every line must decode), and a stop function.
func startWatch(t *testing.T, env []string, args ...string) (logs func() []logLine, stop func()) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"watch", "--log-format", "json"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	buf := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = buf, buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("watch exited with %v:\n%s", err, buf.String())
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Errorf("watch did not stop on SIGTERM")
		}
	}
	t.Cleanup(stop)
	logs = func() []logLine {
		var out []logLine
		sc := bufio.NewScanner(strings.NewReader(buf.String()))
		for sc.Scan() {
			var l logLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("log line is not JSON: %v: %q", err, sc.Text())
			}
			if l.Time.IsZero() || l.Level == "" {
				t.Fatalf("log line without time or level: %q", sc.Text())
			}
			out = append(out, l)
		}
		if strings.Contains(buf.String(), "s3cr3t") {
			t.Fatalf("watch logged a token:\n%s", buf.String())
		}
		return out
	}
	return logs, stop
}

// waitLog waits until a log line matches.
func waitLog(t *testing.T, logs func() []logLine, what string, match func(logLine) bool) logLine {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		for _, l := range logs() {
			if match(l) {
				return l
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line %s; log:\n%+v", what, logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// With Nomad and Consul unreachable, watch says what it follows, then that
// each backend is lost, once each, with the address and a level.
func TestWatchLogsUnreachableBackends(t *testing.T) {
	db := seededDB(t)
	logs, stop := startWatch(t, []string{"NOMAD_TOKEN=s3cr3t-nomad-token", "CONSUL_HTTP_TOKEN=s3cr3t-consul-token"},
		"--db", db, "--nomad-addr", deadNomad, "--consul-addr", deadConsul)
	start := waitLog(t, logs, "watch started", func(l logLine) bool { return l.Msg == "watch started" })
	if start.Level != "INFO" || start.Nomad != deadNomad || !strings.Contains(start.Consul, deadConsul) || start.DB != db {
		t.Errorf("start line %+v", start)
	}
	for _, b := range []string{"nomad", "consul"} {
		l := waitLog(t, logs, b+" lost", func(l logLine) bool { return l.Msg == "backend lost" && l.Backend == b })
		if l.Level != "WARN" || l.State != "unreachable" || l.Err == "" || l.Addr == "" {
			t.Errorf("%s lost: %+v", b, l)
		}
	}
	time.Sleep(3 * time.Second) // several polls more: still one line each
	stop()
	n := map[string]int{}
	for _, l := range logs() {
		if l.Msg == "backend lost" {
			n[l.Backend]++
		}
	}
	if n["nomad"] != 1 || n["consul"] != 1 {
		t.Errorf("backend lost logged %v times, want once each (a change, not every poll)", n)
	}
	if ls := logs(); ls[len(ls)-1].Msg != "watch stopped" {
		t.Errorf("last line %+v, want watch stopped", ls[len(ls)-1])
	}
}

// On a real cluster: Nomad reachable, lost when its server stops, regained.
func TestWatchLogsNomadLostAndRegained(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	c := devclustertest.Require(t, devcluster.Options{})
	logs, _ := startWatch(t, nil, "--db", seededDB(t), "--nomad-addr", c.NomadAddr(), "--consul-addr", c.ConsulAddr())
	is := func(msg, backend string, after time.Time) func(logLine) bool {
		return func(l logLine) bool { return l.Msg == msg && l.Backend == backend && !l.Time.Before(after) }
	}
	up := waitLog(t, logs, "nomad reachable", is("backend reachable", "nomad", time.Time{}))
	waitLog(t, logs, "consul reachable", is("backend reachable", "consul", time.Time{}))
	if err := c.StopNomadServer(); err != nil {
		t.Fatal(err)
	}
	lost := waitLog(t, logs, "nomad lost", is("backend lost", "nomad", up.Time))
	if lost.Level != "WARN" || lost.State != "stale" {
		t.Errorf("nomad lost: %+v", lost)
	}
	if err := c.StartNomadServer(); err != nil {
		t.Fatal(err)
	}
	back := waitLog(t, logs, "nomad regained", is("backend reachable", "nomad", lost.Time))
	if back.Level != "INFO" || back.State != "ok" {
		t.Errorf("nomad regained: %+v", back)
	}
}
