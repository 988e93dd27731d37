package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"

	"codeberg.org/entretien/entretien/internal/devcluster"
	"codeberg.org/entretien/entretien/internal/devcluster/devclustertest"
	"codeberg.org/entretien/entretien/internal/pager/pagertest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/sqlite"
)

// pagingDB is a collective of three (the OS user running the test is
// lucas), rotation primary with amelie on call this week, and contacts:
// amelie email then a webhook, lucas and chloe email.
func pagingDB(t testing.TB, hookURL, policy string) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "e.db")
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	yesterday := time.Now().In(paris).AddDate(0, 0, -1).Format("2006-01-02")
	rota := filepath.Join(t.TempDir(), "rota.hcl")
	os.WriteFile(rota, []byte(fmt.Sprintf(`rotation "primary" {
  time_zone    = "Europe/Paris"
  shift        = "1w"
  handoff      = "00:00"
  start        = %q
  participants = ["amelie", "lucas", "chloe"]
}
`, yesterday)), 0o644)
	pol := filepath.Join(t.TempDir(), "paging.hcl")
	os.WriteFile(pol, []byte(policy), 0o644)
	for _, args := range [][]string{
		{"member", "add", "--handle", "amelie", "--name", "Amélie", "--tz", "Europe/Paris"},
		{"member", "add", "--handle", "lucas", "--name", "Lucas", "--tz", "Europe/Paris", "--os-user", u.Username},
		{"member", "add", "--handle", "chloe", "--name", "Chloé", "--tz", "Europe/Brussels"},
		{"rotation", "apply", rota},
		{"paging", "apply", pol},
		{"member", "contact", "add", "amelie", "email", "amelie@example.org"},
		{"member", "contact", "add", "amelie", "webhook", hookURL + "/amelie"},
		{"member", "contact", "add", "lucas", "email", "lucas@example.org"},
		{"member", "contact", "add", "chloe", "email", "chloe@example.org"},
	} {
		if out, err := exec.Command(bin, append(args, "--db", db)...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	return db
}

const testPolicy = `paging {
  after       = "3s"
  clear_after = "3s"
  step { notify = "on_call" }
  step {
    after  = "8s"
    notify = "next"
  }
  step {
    after  = "20s"
    notify = "everyone"
  }
}
`

// The command line of paging, without a cluster: a bad policy names its
// field and value, exits 2 and writes nothing; apply is idempotent and
// export reads back; contacts list in order, remove exits 3 when unknown;
// ack of no page exits 3; contact test delivers through a real listener.
func TestPagingCommands(t *testing.T) {
	hook := pagertest.StartHook(t)
	db := pagingDB(t, hook.URL, testPolicy)
	bad := filepath.Join(t.TempDir(), "bad.hcl")
	os.WriteFile(bad, []byte(strings.Replace(testPolicy, `"next"`, `"boss"`, 1)), 0o644)
	out, code := runBin(t, nil, "paging", "apply", bad, "--db", db)
	if code != exitUsage || !strings.Contains(out, `paging.step[2].notify "boss": want on_call, next or everyone`) || !strings.Contains(out, "bad.hcl:") {
		t.Errorf("bad policy: exit %d\n%s", code, out)
	}
	exp, code := runBin(t, nil, "paging", "export", "--db", db)
	if code != 0 || !strings.Contains(exp, `notify = "next"`) || !strings.Contains(exp, `after       = "3s"`) {
		t.Fatalf("export after a refused apply: exit %d\n%s", code, exp)
	}
	again := filepath.Join(t.TempDir(), "again.hcl")
	os.WriteFile(again, []byte(exp), 0o644)
	if out, code := runBin(t, nil, "paging", "apply", again, "--db", db); code != 0 || !strings.Contains(out, "paging policy unchanged") {
		t.Errorf("export applied back: exit %d %s", code, out)
	}
	route := filepath.Join(t.TempDir(), "route.hcl")
	os.WriteFile(route, []byte(strings.Replace(testPolicy, `step {`, `route "site/lyon" { rotation = "nope" }
  step {`, 1)), 0o644)
	if out, code := runBin(t, nil, "paging", "apply", route, "--db", db); code != exitUsage || !strings.Contains(out, `paging.route "site/lyon".rotation "nope": no such rotation`) {
		t.Errorf("route to no rotation: exit %d %s", code, out)
	}

	out, code = runBin(t, nil, "member", "contact", "list", "amelie", "--json", "--db", db)
	var cs []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &cs) != nil || len(cs) != 2 || cs[0]["method"] != "email" || cs[1]["preset"] != "json" {
		t.Fatalf("contact list: exit %d\n%s", code, out)
	}
	if out, code := runBin(t, nil, "member", "contact", "add", "amelie", "webhook", "ftp://x", "--db", db); code != exitUsage || !strings.Contains(out, `contact.target "ftp://x"`) {
		t.Errorf("bad webhook: exit %d %s", code, out)
	}
	if out, code := runBin(t, nil, "member", "contact", "remove", "amelie", "99", "--db", db); code != exitNotFound {
		t.Errorf("remove unknown contact: exit %d %s", code, out)
	}
	if out, code := runBin(t, nil, "page", "ack", "7", "--db", db); code != exitNotFound || !strings.Contains(out, "page #7") {
		t.Errorf("ack unknown page: exit %d %s", code, out)
	}
	// amelie's email has no SMTP server here: it fails, the webhook delivers.
	out, code = runBin(t, nil, "member", "contact", "test", "amelie", "--page-attempts", "1", "--db", db)
	if code != 0 || !strings.Contains(out, "email: failed (no SMTP server configured (--smtp-addr))") || !strings.Contains(out, "webhook: delivered") {
		t.Errorf("contact test: exit %d\n%s", code, out)
	}
	if ps := hook.Posts(); len(ps) != 1 || ps[0].Path != "/amelie" || !strings.Contains(ps[0].Body, "TEST entretien page") {
		t.Errorf("test page posts = %+v", ps)
	}
	if out, code := runBin(t, nil, "page", "list", "--json", "--db", db); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("page list with none: exit %d %q", code, out)
	}
}

// pagecheckJob serves dir in lyon with a Consul HTTP check on /ok: the
// test breaks the check by removing dir/ok and repairs it by writing it.
func pagecheckJob(dir string) *nomadapi.Job {
	j := nomadapi.NewServiceJob("pagecheck", "pagecheck", "global", 50)
	j.Datacenters = []string{"lyon"}
	g := nomadapi.NewTaskGroup("lyon", 1)
	g.Constrain(nomadapi.NewConstraint("${node.datacenter}", "=", "lyon"))
	g.Networks = []*nomadapi.NetworkResource{{DynamicPorts: []nomadapi.Port{{Label: "http"}}}}
	g.Services = []*nomadapi.Service{{
		Name: "pagecheck", PortLabel: "http", Provider: "consul",
		Checks: []nomadapi.ServiceCheck{{Type: "http", Path: "/ok", Interval: time.Second, Timeout: time.Second}},
	}}
	t := nomadapi.NewTask("web", "raw_exec").
		SetConfig("command", pagertest.Python).
		SetConfig("args", []string{"-m", "http.server", "${NOMAD_PORT_http}", "--bind", "${NOMAD_IP_http}", "--directory", dir})
	cpu, mem := 50, 64
	t.Require(&nomadapi.Resources{CPU: &cpu, MemoryMB: &mem})
	return j.AddTaskGroup(g.AddTask(t))
}

type watchProc struct {
	cmd  *exec.Cmd
	logs *lockedBuffer
}

func startPagingWatch(t testing.TB, c *devcluster.Cluster, db, smtpAddr string) *watchProc {
	t.Helper()
	cmd := exec.Command(bin, "watch", "--db", db, "--nomad-addr", c.NomadAddr(), "--consul-addr", c.ConsulAddr(), "--quiet",
		"--smtp-addr", smtpAddr, "--smtp-tls", "none", "--lease", "3s", "--page-every", "250ms",
		"--page-attempts", "2", "--page-backoff", "100ms", "--page-timeout", "2s")
	cmd.Env = append(os.Environ(), "ENTRETIEN_SMTP_USER=", "ENTRETIEN_SMTP_PASSWORD=")
	w := &watchProc{cmd: cmd, logs: &lockedBuffer{}}
	cmd.Stdout, cmd.Stderr = w.logs, w.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGCONT)
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Errorf("watch did not stop on SIGTERM")
		}
	})
	return w
}

func (w *watchProc) leads() bool {
	return strings.Count(w.logs.String(), "this watcher pages") > strings.Count(w.logs.String(), "lease lost")
}

var ackRE = regexp.MustCompile(`ssh bastion entretien page ack ([0-9]+)`)

// pagesTo are the messages to addr whose subject starts with prefix, with
// the page id each names.
func pagesTo(s *pagertest.SMTP, addr, prefix string) []pagertest.Mail {
	var out []pagertest.Mail
	for _, m := range s.Messages() {
		if strings.Contains(m.To, addr) && strings.HasPrefix(m.Subject, prefix) {
			out = append(out, m)
		}
	}
	return out
}

func waitUntil(t *testing.T, d time.Duration, what string, ok func() bool, why func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %s", what, why())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func pageID(t *testing.T, m pagertest.Mail) int64 {
	t.Helper()
	sm := ackRE.FindStringSubmatch(m.Body)
	if sm == nil {
		t.Fatalf("page without its ack command:\n%s", m.Body)
	}
	id, _ := strconv.ParseInt(sm[1], 10, 64)
	if h := m.Header.Get("X-Entretien-Page"); h != sm[1] {
		t.Errorf("X-Entretien-Page %q, body names %s", h, sm[1])
	}
	return id
}

// Paging end to end on the real dev cluster, a real SMTP server (aiosmtpd)
// and a real HTTP listener, with two `entretien watch` processes:
//   - a check broken → after `after` exactly one email to the member on
//     call (amelie), saying what, where, since when, who hosts it, how to
//     acknowledge, and no internal URL;
//   - unacknowledged → the next step's member (lucas) gets exactly one;
//   - `page ack` → no further page (not even the everyone step), an
//     incident open with the pages and the ack in its timeline;
//   - repaired → one "resolved" message to each member paged;
//   - SMTP stopped → amelie's webhook delivers, the email failure is in
//     the journal;
//   - the leader SIGSTOPped mid-outage → the other takes over after the
//     lease and pages the next step; the resumed one sends nothing.
func TestPagingOnTheDevCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (needs the dev agents)")
	}
	c := devclustertest.Require(t, devcluster.Options{})
	smtp := pagertest.StartSMTP(t)
	hook := pagertest.StartHook(t)
	db := pagingDB(t, hook.URL, testPolicy)
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	okFile := filepath.Join(dir, "ok")
	os.WriteFile(okFile, []byte("ok\n"), 0o644)
	nc, err := nomadapi.NewClient(&nomadapi.Config{Address: c.NomadAddr()})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := nc.Jobs().Register(pagecheckJob(dir), nil); err != nil {
		t.Fatal(err)
	}
	ws := []*watchProc{startPagingWatch(t, c, db, smtp.Addr), startPagingWatch(t, c, db, smtp.Addr)}
	logs := func() string { return "watch 0:\n" + ws[0].logs.String() + "\nwatch 1:\n" + ws[1].logs.String() }
	cc, err := consulapi.NewClient(&consulapi.Config{Address: c.ConsulAddr()})
	if err != nil {
		t.Fatal(err)
	}
	passing := func() bool {
		cs, _, err := cc.Health().Checks("pagecheck", nil)
		return err == nil && len(cs) > 0 && cs.AggregatedStatus() == consulapi.HealthPassing
	}
	waitUntil(t, 90*time.Second, "pagecheck passing", passing, func() string { return "check not passing" })
	waitUntil(t, 30*time.Second, "a leader", func() bool { return ws[0].leads() != ws[1].leads() }, logs)

	t.Run("step 1, step 2, ack, resolved", func(t *testing.T) {
		broken := time.Now()
		os.Remove(okFile)
		waitUntil(t, 60*time.Second, "amelie's page", func() bool { return len(pagesTo(smtp, "amelie@", "DOWN service pagecheck")) > 0 }, logs)
		t.Logf("check broken → first page: %s (after = 3s, check interval 1s)", time.Since(broken).Round(100*time.Millisecond))
		m := pagesTo(smtp, "amelie@", "DOWN service pagecheck")[0]
		for _, want := range []string{"DOWN service pagecheck critical in lyon", "since ", "the machine is hosted by lucas", "acknowledge: ssh bastion entretien page ack"} {
			if !strings.Contains(m.Subject+"\n"+m.Body, want) {
				t.Errorf("page lacks %q:\n%s\n%s", want, m.Subject, m.Body)
			}
		}
		if strings.Contains(m.Body, "http://") || strings.Contains(m.Body, "127.0.0.1") {
			t.Errorf("page carries an internal URL:\n%s", m.Body)
		}
		waitUntil(t, 30*time.Second, "lucas's page (step 2)", func() bool { return len(pagesTo(smtp, "lucas@", "DOWN service pagecheck")) > 0 }, logs)
		if n := len(pagesTo(smtp, "amelie@", "DOWN service pagecheck")); n != 1 {
			t.Errorf("amelie got %d pages for one step, want 1 (two watchers)", n)
		}
		if ps := hook.Posts(); len(ps) != 0 {
			t.Errorf("webhook used while email delivered: %+v", ps)
		}
		id := pageID(t, pagesTo(smtp, "lucas@", "DOWN service pagecheck")[0])
		out, code := runBin(t, nil, "page", "ack", strconv.FormatInt(id, 10), "--db", db)
		if code != 0 || !strings.Contains(out, "acknowledged") || !strings.Contains(out, "you lead it") {
			t.Fatalf("page ack: exit %d %s", code, out)
		}
		// Past the everyone step (20s): nothing more.
		time.Sleep(16 * time.Second)
		if a, l, ch := len(pagesTo(smtp, "amelie@", "DOWN service pagecheck")), len(pagesTo(smtp, "lucas@", "DOWN service pagecheck")), len(pagesTo(smtp, "chloe@", "DOWN service pagecheck")); a != 1 || l != 1 || ch != 0 {
			t.Errorf("after the ack: amelie %d, lucas %d, chloe %d pages; want 1, 1, 0", a, l, ch)
		}
		ins, _ := st.Incidents(context.Background(), oncall.IncidentFilter{OpenOnly: true})
		if len(ins) != 1 || ins[0].Status != oncall.StatusAcknowledged || !strings.Contains(strings.Join(ins[0].Affects, ","), "service/pagecheck") {
			t.Fatalf("incidents = %+v", ins)
		}
		out, _ = runBin(t, nil, "incident", "show", strconv.FormatInt(ins[0].ID, 10), "--db", db)
		for _, want := range []string{"paged amelie", "paged lucas", "email delivered", "acknowledged by lucas"} {
			if !strings.Contains(out, want) {
				t.Errorf("incident timeline lacks %q:\n%s", want, out)
			}
		}
		os.WriteFile(okFile, []byte("ok\n"), 0o644)
		waitUntil(t, 60*time.Second, "resolved messages", func() bool {
			return len(pagesTo(smtp, "amelie@", "RESOLVED service pagecheck")) > 0 && len(pagesTo(smtp, "lucas@", "RESOLVED service pagecheck")) > 0
		}, logs)
		time.Sleep(2 * time.Second)
		if a, l := len(pagesTo(smtp, "amelie@", "RESOLVED service pagecheck")), len(pagesTo(smtp, "lucas@", "RESOLVED service pagecheck")); a != 1 || l != 1 {
			t.Errorf("resolved messages: amelie %d, lucas %d; want one each", a, l)
		}
	})

	t.Run("SMTP down: the webhook delivers, the failure in the journal", func(t *testing.T) {
		smtp.Stop()
		before := len(hook.Posts())
		os.Remove(okFile)
		// Other outages of the dev cluster may page too (a loaded machine's
		// nomad-client check): only pagecheck's count.
		var post pagertest.Post
		waitUntil(t, 60*time.Second, "amelie's webhook", func() bool {
			for _, p := range hook.Posts()[before:] {
				if strings.Contains(p.Body, "DOWN service pagecheck") {
					post = p
					return true
				}
			}
			return false
		}, logs)
		var doc struct {
			PageID int64  `json:"page_id"`
			Title  string `json:"title"`
		}
		if err := json.Unmarshal([]byte(post.Body), &doc); err != nil || post.Path != "/amelie" || !strings.HasPrefix(doc.Title, "DOWN service pagecheck") {
			t.Fatalf("webhook post = %+v (%v)", post, err)
		}
		waitUntil(t, 10*time.Second, "the delivery recorded", func() bool {
			p, err := st.PageByID(context.Background(), doc.PageID)
			return err == nil && p.Delivered
		}, logs)
		out, code := runBin(t, nil, "page", "ack", strconv.FormatInt(doc.PageID, 10), "--db", db)
		if code != 0 {
			t.Fatalf("page ack: exit %d %s", code, out)
		}
		ins, _ := st.Incidents(context.Background(), oncall.IncidentFilter{OpenOnly: true})
		if len(ins) != 1 {
			t.Fatalf("incidents = %+v (the ack joins the one in progress)", ins)
		}
		out, _ = runBin(t, nil, "incident", "show", strconv.FormatInt(ins[0].ID, 10), "--db", db)
		if !strings.Contains(out, "email failed (connection refused), webhook delivered") {
			t.Errorf("journal lacks the failed email:\n%s", out)
		}
		out, _ = runBin(t, nil, "page", "list", "--db", db)
		if !strings.Contains(out, "email failed (connection refused), webhook delivered") {
			t.Errorf("page list:\n%s", out)
		}
		smtp.Start()
		os.WriteFile(okFile, []byte("ok\n"), 0o644)
		waitUntil(t, 60*time.Second, "the outage over", func() bool {
			os, _ := st.OpenPagedOutages(context.Background())
			return len(os) == 0
		}, logs)
	})

	t.Run("leader paused: the other takes over, the resumed one sends nothing", func(t *testing.T) {
		leader, other := ws[0], ws[1]
		if !leader.leads() {
			leader, other = other, leader
		}
		startA := len(pagesTo(smtp, "amelie@", "DOWN service pagecheck"))
		startL := len(pagesTo(smtp, "lucas@", "DOWN service pagecheck"))
		os.Remove(okFile)
		waitUntil(t, 60*time.Second, "step 1", func() bool { return len(pagesTo(smtp, "amelie@", "DOWN service pagecheck")) > startA }, logs)
		// Paused once step 1 is recorded as delivered: a leader paused
		// between the SMTP server's answer and its record may be followed
		// by a resend (paging prefers a duplicate to silence), which is not
		// what this case is about.
		waitUntil(t, 10*time.Second, "step 1 recorded as delivered", func() bool {
			ps, err := st.Pages(context.Background(), oncall.PageFilter{})
			if err != nil {
				return false
			}
			for _, p := range ps {
				if p.Member == "amelie" && !p.Delivered {
					return false
				}
			}
			return true
		}, logs)
		leader.cmd.Process.Signal(syscall.SIGSTOP)
		waitUntil(t, 30*time.Second, "the other watcher leading", other.leads, logs)
		waitUntil(t, 30*time.Second, "step 2 from the new leader", func() bool { return len(pagesTo(smtp, "lucas@", "DOWN service pagecheck")) > startL }, logs)
		leader.cmd.Process.Signal(syscall.SIGCONT)
		time.Sleep(4 * time.Second)
		if a, l := len(pagesTo(smtp, "amelie@", "DOWN service pagecheck"))-startA, len(pagesTo(smtp, "lucas@", "DOWN service pagecheck"))-startL; a != 1 || l != 1 {
			t.Errorf("pages in this outage: amelie %d, lucas %d; want one each\n%s", a, l, logs())
		}
		seen := map[string]bool{}
		for _, m := range smtp.Messages() {
			k := m.Header.Get("X-Entretien-Page") + " " + m.To
			if seen[k] {
				t.Errorf("page %s sent twice", k)
			}
			seen[k] = true
		}
		if !strings.Contains(leader.logs.String(), "lease lost") && leader.leads() {
			t.Errorf("the resumed watcher still leads:\n%s", leader.logs.String())
		}
		ps, _ := st.Pages(context.Background(), oncall.PageFilter{})
		var last oncall.Page
		for _, p := range ps {
			if p.Member == "lucas" && p.Step == 2 && strings.Contains(p.Text, "pagecheck") {
				last = p
			}
		}
		if last.Epoch < 2 {
			t.Errorf("step 2 page = %+v, want lucas under a later epoch", last)
		}
	})
}
