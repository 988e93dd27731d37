// Package pgtest runs a real PostgreSQL (Debian's postgresql package) for
// tests: initdb into a temp dir, pg_ctl on a free loopback port with its own
// socket dir, as an unprivileged user (PostgreSQL refuses root: as root the
// server runs as the `postgres` system user the package creates). One server
// per test binary (Shared, DSN), started on first use and stopped when the
// process exits however it exits; a fresh database per test. New gives a test
// a server of its own (to restart it).
//
// The password reaches clients through a passfile written 0600 and named in
// the DSN (passfile=…): it is never in a DSN, a log line or an error.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrMissing marks "PostgreSQL is not installed", which the helpers turn into
// a skip (a failure under CI=true).
var ErrMissing = errors.New("postgresql not installed: apt-get install postgresql (or set PG_BINDIR)")

// User is the login role tests connect as: not a superuser, owner of each
// test database (so it may create tables in schema public, as a collective's
// own role would).
const User = "entretien"

// BinDir finds initdb and pg_ctl: $PG_BINDIR, else the newest
// /usr/lib/postgresql/*/bin, else PATH.
func BinDir() (string, error) {
	has := func(d string) bool {
		for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
			if st, err := os.Stat(filepath.Join(d, b)); err != nil || st.Mode()&0o111 == 0 {
				return false
			}
		}
		return true
	}
	if d := os.Getenv("PG_BINDIR"); d != "" {
		if has(d) {
			return d, nil
		}
		return "", fmt.Errorf("%w (PG_BINDIR=%s has no initdb, pg_ctl, postgres)", ErrMissing, d)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil && has(filepath.Dir(p)) {
		return filepath.Dir(p), nil
	}
	return "", ErrMissing
}

func pgMajor(bindir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(bindir)))
	return n
}

// missing skips (or under CI=true fails) a test when PostgreSQL is absent.
func missing(t testing.TB) string {
	t.Helper()
	bin, err := BinDir()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgtest: %v (CI=true: PostgreSQL tests must run)", err)
		}
		t.Skip(err.Error())
	}
	return bin
}

// Server is one running PostgreSQL.
type Server struct {
	bin      string
	dir      string // temp dir: data/, sock/, log, passfile
	port     int
	runAs    *user.User // nil: ourselves
	superPW  string     // the postgres role's, for the harness only
	userPW   string     // User's, written only to the passfile
	reaper   *os.File   // the reaper's stdin: closing it (or exiting) stops the server
	dbs      atomic.Int64
	mu       sync.Mutex
	stopped  bool
	StartDur time.Duration // how long initdb + start took
}

var shared struct {
	once sync.Once
	s    *Server
	err  error
}

// Shared returns the test binary's server, starting it on first use. It
// lives until the process exits.
func Shared(t testing.TB) *Server {
	t.Helper()
	bin := missing(t)
	shared.once.Do(func() { shared.s, shared.err = start(bin) })
	if shared.err != nil {
		t.Fatalf("pgtest: %v", shared.err)
	}
	return shared.s
}

// DSN is a fresh, empty database on the shared server, dropped after the test.
func DSN(t testing.TB) string {
	t.Helper()
	return Shared(t).NewDB(t)
}

// New starts a server for this test alone, stopped at its cleanup (and at
// process exit if the cleanup never runs).
func New(t testing.TB) *Server {
	t.Helper()
	bin := missing(t)
	s, err := start(bin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("pgtest: stop: %v", err)
		}
	})
	return s
}

// Port is the server's TCP port on 127.0.0.1.
func (s *Server) Port() int { return s.port }

// PassFile is the 0600 passfile holding the password of User (for a child
// process: PGPASSFILE=…; the DSNs already name it).
func (s *Server) PassFile() string { return filepath.Join(s.dir, "pgpass") }

// SocketDir is the server's Unix socket directory.
func (s *Server) SocketDir() string { return filepath.Join(s.dir, "sock") }

// LogFile is the server's log.
func (s *Server) LogFile() string { return filepath.Join(s.dir, "log") }

// URL is a DSN for database db as User, without a password.
func (s *Server) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User(User), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)), Path: "/" + db}
	q := url.Values{"sslmode": {"disable"}, "passfile": {s.PassFile()}}
	u.RawQuery = q.Encode()
	return u.String()
}

// NewDB creates an empty database owned by User, named after the test, and
// returns its DSN; it is dropped at the test's cleanup.
func (s *Server) NewDB(t testing.TB) string {
	t.Helper()
	name := dbName(t.Name(), s.dbs.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.admin(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" OWNER "+User+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		s.mu.Lock()
		stopped := s.stopped
		s.mu.Unlock()
		if stopped {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE: a store the test leaked must not keep its database alive.
		if err := s.admin(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	return s.URL(name)
}

// dbName is a valid, unique identifier (≤ 63 bytes) from a test's name.
func dbName(test string, n int64) string {
	var b strings.Builder
	for _, r := range strings.ToLower(test) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	base := b.String()
	if len(base) > 40 {
		base = base[:40]
	}
	return fmt.Sprintf("t_%s_%d_%d", base, os.Getpid(), n)
}

// Exec runs SQL on database db as the superuser (for tests that need to look
// at or break something from outside the store).
func (s *Server) Exec(ctx context.Context, db, sql string, args ...any) error {
	c, err := s.connect(ctx, db)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	_, err = c.Exec(ctx, sql, args...)
	return err
}

func (s *Server) admin(ctx context.Context, sql string) error { return s.Exec(ctx, "postgres", sql) }

func (s *Server) connect(ctx context.Context, db string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=%s sslmode=disable", s.port, db))
	if err != nil {
		return nil, err
	}
	cfg.Password = s.superPW
	return pgx.ConnectConfig(ctx, cfg)
}

// Restart stops the server (fast: every connection is cut) and starts it
// again on the same port and data.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if out, err := s.pgctl("-m", "fast", "-w", "-t", "60", "-l", s.LogFile(), "-o", s.options(), "restart"); err != nil {
		t.Fatalf("pgtest: restart: %v\n%s%s", err, out, s.logTail())
	}
}

// Stop stops the server, keeping its data, until Start.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if out, err := s.pgctl("-m", "fast", "-w", "-t", "60", "stop"); err != nil {
		t.Fatalf("pgtest: stop: %v\n%s%s", err, out, s.logTail())
	}
}

// Start starts a server Stop stopped.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	if out, err := s.pgctl(s.startArgs()...); err != nil {
		t.Fatalf("pgtest: start: %v\n%s%s", err, out, s.logTail())
	}
}

// Close stops the server and removes its files.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil
	}
	s.stopped = true
	var err error
	if _, statErr := os.Stat(filepath.Join(s.dir, "data", "postmaster.pid")); statErr == nil {
		var out []byte
		if out, err = s.pgctl("-m", "fast", "-w", "-t", "60", "stop"); err != nil {
			err = fmt.Errorf("%w: %s", err, out)
		}
	}
	if rmErr := os.RemoveAll(s.dir); err == nil {
		err = rmErr
	}
	s.reaper.Close() // the reaper finds nothing left to do
	return err
}

func (s *Server) startArgs() []string {
	return []string{"-w", "-t", "60", "-l", s.LogFile(), "-o", s.options(), "start"}
}

// options: loopback only, our socket dir, and durability off (a test server
// is thrown away; a fast shutdown still flushes, so a restart keeps data).
func (s *Server) options() string {
	return fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
		s.port, s.SocketDir())
}

func (s *Server) pgctl(args ...string) ([]byte, error) {
	return s.run(filepath.Join(s.bin, "pg_ctl"), append([]string{"-D", filepath.Join(s.dir, "data")}, args...)...)
}

// run runs a PostgreSQL program as the server's user. Its output goes to a
// temp file, never to a pipe: a server pg_ctl starts inherits it, and a pipe
// would make Run (and go test) wait for the server to exit.
func (s *Server) run(prog string, args ...string) ([]byte, error) {
	f, err := os.CreateTemp("", "pgtest-out-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd := s.command(prog, args...)
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	out, _ := os.ReadFile(f.Name())
	return out, err
}

func (s *Server) command(prog string, args ...string) *exec.Cmd {
	if s.runAs != nil {
		args = append([]string{"-u", s.runAs.Username, "--", prog}, args...)
		prog = "runuser"
	}
	cmd := exec.Command(prog, args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "PGTZ=UTC")
	return cmd
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(s.LogFile())
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	if len(b) == 0 {
		return ""
	}
	return "server log:\n" + string(b)
}

// runAsUser: as root, the postgres system user (PGTEST_USER to choose
// another); otherwise ourselves.
func runAsUser() (*user.User, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	name := os.Getenv("PGTEST_USER")
	if name == "" {
		name = "postgres"
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("running as root, PostgreSQL needs an unprivileged user: %w (Debian's postgresql package creates `postgres`; or set PGTEST_USER)", err)
	}
	return u, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func start(bin string) (*Server, error) {
	t0 := time.Now()
	s, err := prepare(bin)
	if err != nil {
		return nil, err
	}
	s.superPW, s.userPW = randomHex(24), randomHex(24)
	ok := false
	defer func() {
		if !ok {
			_ = s.Close()
		}
	}()
	pwfile := filepath.Join(s.dir, "superpw")
	if err := os.WriteFile(pwfile, []byte(s.superPW+"\n"), 0o600); err != nil {
		return nil, err
	}
	if err := s.chown(pwfile); err != nil {
		return nil, err
	}
	out, err := s.run(filepath.Join(bin, "initdb"), "-D", filepath.Join(s.dir, "data"), "-A", "scram-sha-256",
		"--pwfile="+pwfile, "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync")
	_ = os.Remove(pwfile)
	if err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if err := s.listen(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.admin(ctx, "CREATE ROLE "+User+" LOGIN PASSWORD '"+s.userPW+"'"); err != nil {
		return nil, fmt.Errorf("create role: %w", err)
	}
	if err := s.writePassFile(); err != nil {
		return nil, err
	}
	s.StartDur = time.Since(t0)
	ok = true
	return s, nil
}

// prepare makes a server's temp dir (owned by the server's user), its
// socket dir and its reaper.
func prepare(bin string) (*Server, error) {
	runAs, err := runAsUser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", tempDirPrefix)
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: dir, runAs: runAs}
	if err := writeOwner(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	sweepStale(dir)
	if err := os.Mkdir(s.SocketDir(), 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.chown(dir, s.SocketDir()); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.startReaper(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

func (s *Server) chown(paths ...string) error {
	if s.runAs == nil {
		return nil
	}
	uid, _ := strconv.Atoi(s.runAs.Uid)
	gid, _ := strconv.Atoi(s.runAs.Gid)
	for _, p := range paths {
		if err := os.Chown(p, uid, gid); err != nil {
			return err
		}
	}
	return nil
}

// listen starts the server on a free port. A port the kernel just gave out
// may be taken again before postgres binds it: try a few.
func (s *Server) listen() error {
	for try := 0; ; try++ {
		var err error
		s.port, err = freePort()
		if err != nil {
			return err
		}
		out, err := s.pgctl(s.startArgs()...)
		if err == nil {
			return nil
		}
		if try == 2 || !strings.Contains(s.logTail(), "could not bind") {
			return fmt.Errorf("pg_ctl start: %v\n%s%s", err, out, s.logTail())
		}
	}
}

func (s *Server) writePassFile() error {
	pass := fmt.Sprintf("127.0.0.1:%d:*:%s:%s\nlocalhost:%d:*:%s:%s\n", s.port, User, s.userPW, s.port, User, s.userPW)
	return os.WriteFile(s.PassFile(), []byte(pass), 0o600)
}

// NewStandby starts a streaming replica of s (pg_basebackup -R), read-only,
// with the same databases and roles, stopped at the test's cleanup. Its
// DSNs are StandbyURL's.
func (s *Server) NewStandby(t testing.TB) *Server {
	t.Helper()
	st, err := prepare(s.bin)
	if err != nil {
		t.Fatalf("pgtest: standby: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("pgtest: stop standby: %v", err)
		}
	})
	st.superPW, st.userPW = s.superPW, s.userPW
	cmd := st.command(filepath.Join(s.bin, "pg_basebackup"), "-D", filepath.Join(st.dir, "data"), "-R", "-X", "stream",
		"-c", "fast", "-h", "127.0.0.1", "-p", strconv.Itoa(s.port), "-U", "postgres", "--no-sync")
	cmd.Env = append(cmd.Env, "PGPASSWORD="+s.superPW)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pgtest: pg_basebackup: %v\n%s", err, out)
	}
	if err := st.listen(); err != nil {
		t.Fatalf("pgtest: standby: %v", err)
	}
	if err := st.writePassFile(); err != nil {
		t.Fatal(err)
	}
	return st
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startReaper starts a process of its own session (so ^C to the test does
// not reach it) that waits for EOF on its stdin, which comes when this
// process exits however it exits, then stops the server and removes its
// files.
func (s *Server) startReaper() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	stop := s.command(filepath.Join(s.bin, "pg_ctl"), "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop")
	args := append([]string{"-c", `d=$1; shift; cat >/dev/null; "$@" >/dev/null 2>&1; rm -rf "$d"`, "pgtest-reaper", s.dir}, stop.Args...)
	cmd := exec.Command("/bin/sh", args...)
	cmd.Env = stop.Env
	cmd.Stdin = r
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	// Files, not writers: os/exec would otherwise copy through a pipe the
	// reaper holds open past our exit.
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		w.Close()
		return err
	}
	defer devnull.Close()
	cmd.Stdout, cmd.Stderr = devnull, devnull
	if err := cmd.Start(); err != nil {
		w.Close()
		return err
	}
	go func() { _ = cmd.Wait() }()
	s.reaper = w
	return nil
}

// DBName is the database a DSN of this package names.
func DBName(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}
