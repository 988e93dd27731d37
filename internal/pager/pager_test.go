package pager

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/entretien/entretien/internal/pager/pagertest"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/paging"
)

var msg = paging.Message{PageID: 12, Member: "amelie", Title: "DOWN service guichet critical in lyon",
	Text: "service guichet critical in lyon\nacknowledge: ssh bastion entretien page ack 12\n"}

// Each method against a real endpoint: aiosmtpd, an HTTP listener (ntfy
// and json), a program; then the fallback order when SMTP is down.
func TestDeliverReal(t *testing.T) {
	smtp := pagertest.StartSMTP(t)
	hook := pagertest.StartHook(t)
	p := &Pager{SMTP: SMTP{Addr: smtp.Addr, From: "pager@example.org", TLS: "none"}, Attempts: 2, Backoff: 50 * time.Millisecond, Timeout: 2 * time.Second}
	ctx := context.Background()

	ds := p.Deliver(ctx, []oncall.Contact{{Method: "email", Target: "amelie@example.org"}}, msg)
	if len(ds) != 1 || !ds[0].OK {
		t.Fatalf("email: %+v", ds)
	}
	ms := smtp.Messages()
	if len(ms) != 1 || ms[0].Subject != msg.Title || !strings.Contains(ms[0].Body, "page ack 12") || !strings.Contains(ms[0].To, "amelie@example.org") {
		t.Fatalf("mail = %+v", ms)
	}

	ds = p.Deliver(ctx, []oncall.Contact{{Method: "webhook", Target: hook.URL + "/ntfy", Preset: "ntfy"}, {Method: "webhook", Target: hook.URL + "/json", Preset: "json"}}, msg)
	if len(ds) != 1 || !ds[0].OK {
		t.Fatalf("ntfy: %+v (the second method must not be tried)", ds)
	}
	ds = p.Deliver(ctx, []oncall.Contact{{Method: "webhook", Target: hook.URL + "/json", Preset: "json"}}, msg)
	posts := hook.Posts()
	if len(ds) != 1 || !ds[0].OK || len(posts) != 2 {
		t.Fatalf("json: %+v, posts %+v", ds, posts)
	}
	if n := posts[0]; n.Path != "/ntfy" || n.Header.Get("Title") != msg.Title || n.Header.Get("Priority") != "urgent" || n.Body != msg.Text {
		t.Errorf("ntfy post = %+v", n)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(posts[1].Body), &doc); err != nil || doc["page_id"] != float64(12) || doc["title"] != msg.Title {
		t.Errorf("json post = %s (%v)", posts[1].Body, err)
	}

	dir := t.TempDir()
	script := filepath.Join(dir, "page.sh")
	os.WriteFile(script, []byte("#!/bin/sh\nenv > "+dir+"/env\n"), 0o755)
	t.Setenv("NOMAD_TOKEN", "secret-token")
	if ds = p.Deliver(ctx, []oncall.Contact{{Method: "command", Target: script}}, msg); len(ds) != 1 || !ds[0].OK {
		t.Fatalf("command: %+v", ds)
	}
	env, _ := os.ReadFile(filepath.Join(dir, "env"))
	if !strings.Contains(string(env), "ENTRETIEN_PAGE_ID=12") || !strings.Contains(string(env), "ENTRETIEN_PAGE_TITLE="+msg.Title) || strings.Contains(string(env), "secret-token") {
		t.Errorf("command environment:\n%s", env)
	}
	slow := filepath.Join(dir, "slow.sh")
	os.WriteFile(slow, []byte("#!/bin/sh\nsleep 10\n"), 0o755)
	p.CommandTimeout = 200 * time.Millisecond
	t0 := time.Now()
	if ds = p.Deliver(ctx, []oncall.Contact{{Method: "command", Target: slow}}, msg); len(ds) != 1 || ds[0].OK || !strings.Contains(ds[0].Error, "timed out") || time.Since(t0) > 3*time.Second {
		t.Errorf("slow command: %+v after %s", ds, time.Since(t0))
	}

	// SMTP down: retried, failed with its cause, the webhook delivers.
	smtp.Stop()
	ds = p.Deliver(ctx, []oncall.Contact{{Method: "email", Target: "amelie@example.org"}, {Method: "webhook", Target: hook.URL + "/json"}}, msg)
	if len(ds) != 2 || ds[0].OK || ds[0].Error != "connection refused" || !ds[1].OK {
		t.Fatalf("fallback: %+v", ds)
	}
}

// A decision to take part in is not an emergency: ntfy gets it at the
// default priority.
func TestQuietMessageIsNotUrgent(t *testing.T) {
	hook := pagertest.StartHook(t)
	p := &Pager{Attempts: 1, Timeout: 2 * time.Second}
	quiet := paging.Message{Member: "amelie", Title: "proposal #2 opened by lucas: move guichet", Text: "read it", Quiet: true}
	ds := p.Deliver(context.Background(), []oncall.Contact{{Method: "webhook", Target: hook.URL + "/ntfy", Preset: "ntfy"}}, quiet)
	posts := hook.Posts()
	if len(ds) != 1 || !ds[0].OK || len(posts) != 1 || posts[0].Header.Get("Priority") != "default" || posts[0].Header.Get("Title") != quiet.Title {
		t.Fatalf("quiet ntfy: %+v, posts %+v", ds, posts)
	}
}
