// Package pagertest runs real delivery endpoints for tests: Debian's
// aiosmtpd SMTP server on 127.0.0.1 writing each message into a Maildir,
// and an HTTP listener keeping every webhook POST. Test tooling only.
package pagertest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"
)

// Python is Debian's interpreter, which has python3-aiosmtpd (a pyenv one
// on PATH may not).
const Python = "/usr/bin/python3"

// SMTP is a running aiosmtpd (Stop and Start it again on the same port to
// test a server that is down).
type SMTP struct {
	t    testing.TB
	Addr string
	Dir  string
	cmd  *exec.Cmd
}

// StartSMTP starts aiosmtpd, or fails the test with how to install it.
func StartSMTP(t testing.TB) *SMTP {
	t.Helper()
	if err := exec.Command(Python, "-c", "import aiosmtpd").Run(); err != nil {
		t.Fatalf("aiosmtpd missing: apt-get install -y python3-aiosmtpd (%v)", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &SMTP{t: t, Addr: addr, Dir: filepath.Join(t.TempDir(), "maildir")}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Start (re)starts the server and waits until it accepts connections.
func (s *SMTP) Start() {
	s.t.Helper()
	s.cmd = exec.Command(Python, "-m", "aiosmtpd", "-n", "-l", s.Addr, "-c", "aiosmtpd.handlers.Mailbox", s.Dir)
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, io.Discard
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("aiosmtpd on %s: %v", s.Addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop kills the server (idempotent).
func (s *SMTP) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
	s.cmd = nil
}

// Mail is one message the server received.
type Mail struct {
	To, Subject, Body string
	Header            mail.Header
}

// Messages are the messages received so far, oldest first.
func (s *SMTP) Messages() []Mail {
	s.t.Helper()
	files, _ := filepath.Glob(filepath.Join(s.Dir, "new", "*"))
	type f struct {
		path string
		mod  time.Time
	}
	var fs []f
	for _, p := range files {
		if st, err := os.Stat(p); err == nil {
			fs = append(fs, f{p, st.ModTime()})
		}
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].mod.Before(fs[j].mod) })
	var out []Mail
	for _, x := range fs {
		b, err := os.ReadFile(x.path)
		if err != nil {
			continue
		}
		m, err := mail.ReadMessage(bytes.NewReader(b))
		if err != nil {
			s.t.Errorf("message %s: %v", x.path, err)
			continue
		}
		body, _ := io.ReadAll(m.Body)
		dec := new(mime.WordDecoder)
		subj, err := dec.DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			subj = m.Header.Get("Subject")
		}
		out = append(out, Mail{To: m.Header.Get("To"), Subject: subj, Body: decodeQP(string(body), m.Header), Header: m.Header})
	}
	return out
}

// Hook is an HTTP listener keeping every POST.
type Hook struct {
	*httptest.Server
	mu    sync.Mutex
	posts []Post
}

// Post is one request the hook received.
type Post struct {
	Path   string
	Header http.Header
	Body   string
}

// StartHook starts the listener.
func StartHook(t testing.TB) *Hook {
	h := &Hook{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.posts = append(h.posts, Post{Path: r.URL.Path, Header: r.Header.Clone(), Body: string(b)})
		h.mu.Unlock()
		fmt.Fprintln(w, "ok")
	}))
	t.Cleanup(h.Close)
	return h
}

// Posts are the requests received so far.
func (h *Hook) Posts() []Post {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Post(nil), h.posts...)
}

// decodeQP undoes a quoted-printable body.
func decodeQP(body string, h mail.Header) string {
	if h.Get("Content-Transfer-Encoding") != "quoted-printable" {
		return body
	}
	b, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader([]byte(body))))
	if err != nil {
		return body
	}
	return string(b)
}
