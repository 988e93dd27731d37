// Package pgcluster runs a PostgreSQL cluster managed by Patroni on
// loopback, one member per site, with Consul as Patroni's coordination
// store: the set-up a collective with a bastion per site runs, small enough
// for a test. It uses Debian's patroni and postgresql packages and the dev
// agents' consul binary; it never elects anything itself.
package pgcluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options says what to start. The zero value gives two sites, paris and
// lyon, synchronous replication and a Consul agent of the cluster's own.
type Options struct {
	Sites []string // member names, one per site; default paris, lyon
	// ConsulAddr is an existing Consul HTTP address (host:port) to use as
	// the coordination store, e.g. the dev cluster's; empty starts one.
	ConsulAddr string
	// ConsulToken and ConsulCACert reach a Consul with ACLs and TLS (the
	// token goes to Patroni through PATRONI_CONSUL_TOKEN, as in the recipe).
	ConsulToken  string
	ConsulCACert string
	AgentsDir    string // where the consul binary is (devcluster's cache)
	// TTL is Patroni's leader key TTL in seconds. Consul refuses session
	// TTLs under 10 s and Patroni asks for ttl/2, so 20 is the floor.
	TTL int
	// Scope is Patroni's cluster name, its Consul keys under service/<scope>/;
	// default "entretien", as in the recipe and its policy.
	Scope string
	// Async turns Patroni's synchronous_mode off.
	Async bool
	Log   io.Writer // progress lines; nil discards them
}

// Member is one site's PostgreSQL as Patroni reports it.
type Member struct {
	Name     string `json:"name"`
	Role     string `json:"role"`  // leader, sync_standby, replica
	State    string `json:"state"` // running, streaming, stopped…
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Timeline int    `json:"timeline"`
	Lag      any    `json:"lag"` // bytes, or "unknown"
	APIURL   string `json:"api_url"`
}

// Cluster is a running set of Patroni members.
type Cluster struct {
	o        Options
	dir      string
	password string
	passFile string
	scope    string

	consul     *proc
	consulAddr string

	mu      sync.Mutex
	members map[string]*member
	order   []string
}

type member struct {
	name    string
	pgPort  int
	apiPort int
	dataDir string
	config  string
	patroni *proc
}

const (
	superuser = "postgres"
	pgBinDir  = "/usr/lib/postgresql/15/bin"
)

// ErrMissing says what to install when Patroni or PostgreSQL is absent.
var ErrMissing = errors.New("patroni or postgresql missing: apt-get install patroni python3-consul postgresql")

// Check reports whether everything Start needs is installed.
func Check(agentsDir string) error {
	if _, err := exec.LookPath("patroni"); err != nil {
		return ErrMissing
	}
	if _, err := os.Stat(filepath.Join(binDir(), "postgres")); err != nil {
		return ErrMissing
	}
	if _, err := os.Stat(filepath.Join(agentsDir, "consul")); err != nil {
		return fmt.Errorf("consul agent missing in %s: run `make agents`", agentsDir)
	}
	return nil
}

func binDir() string {
	if d := os.Getenv("PG_BINDIR"); d != "" {
		return d
	}
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(m) > 0 {
		return m[len(m)-1]
	}
	return pgBinDir
}

// Start brings the cluster up and returns once one member leads and, in
// synchronous mode, another is its sync standby.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	if len(o.Sites) == 0 {
		o.Sites = []string{"paris", "lyon"}
	}
	if o.TTL == 0 {
		o.TTL = 20
	}
	if o.TTL < 20 {
		return nil, fmt.Errorf("pgcluster: ttl %d: Consul refuses session TTLs under 10 s and Patroni asks for ttl/2", o.TTL)
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if err := Check(o.AgentsDir); err != nil {
		return nil, err
	}
	sweepStale()
	dir, err := os.MkdirTemp("", tempPrefix)
	if err != nil {
		return nil, err
	}
	c := &Cluster{o: o, dir: dir, members: map[string]*member{},
		password: randomWord(), scope: o.Scope}
	if c.scope == "" {
		c.scope = "entretien"
	}
	if err := writeOwner(dir); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			c.Stop()
		}
	}()
	uid, gid, err := runAs()
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	// The client side: a pgpass file the tests and entretien read, 0600 as
	// libpq demands; the password never goes in a DSN.
	c.passFile = filepath.Join(dir, "pgpass")
	if err := os.WriteFile(c.passFile, fmt.Appendf(nil, "*:*:*:%s:%s\n", superuser, c.password), 0o600); err != nil {
		return nil, err
	}

	if o.ConsulCACert != "" {
		// Patroni runs as postgres, which may not read the CA where it is.
		b, err := os.ReadFile(o.ConsulCACert)
		if err != nil {
			return nil, err
		}
		c.o.ConsulCACert = filepath.Join(dir, "consul-ca.pem")
		if err := os.WriteFile(c.o.ConsulCACert, b, 0o644); err != nil {
			return nil, err
		}
	}
	if c.consulAddr = o.ConsulAddr; c.consulAddr == "" {
		if err := c.startConsul(ctx); err != nil {
			return nil, err
		}
	}
	for i, name := range o.Sites {
		ports, err := freePorts(2)
		if err != nil {
			return nil, err
		}
		m := &member{name: name, pgPort: ports[0], apiPort: ports[1],
			dataDir: filepath.Join(dir, name, "data"), config: filepath.Join(dir, name+".yml")}
		if err := c.writeConfig(m, uid, gid); err != nil {
			return nil, err
		}
		c.members[name] = m
		c.order = append(c.order, name)
		if err := c.startMember(m, uid, gid); err != nil {
			return nil, err
		}
		if i == 0 {
			// The first member bootstraps alone; the others clone it.
			if err := c.waitFor(ctx, "a leader", 90*time.Second, func(ms []Member) bool { return roleOf(ms, "leader") != "" }); err != nil {
				return nil, err
			}
		}
	}
	want := func(ms []Member) bool {
		n := 0
		for _, m := range ms {
			if m.State == "running" || m.State == "streaming" {
				n++
			}
		}
		if n != len(o.Sites) || roleOf(ms, "leader") == "" {
			return false
		}
		return o.Async || len(o.Sites) < 2 || roleOf(ms, "sync_standby") != ""
	}
	if err := c.waitFor(ctx, "every member running", 120*time.Second, want); err != nil {
		return nil, err
	}
	ok = true
	return c, nil
}

// DSN is the multi-host connection string entretien is given: every member,
// the primary chosen by libpq/pgx. The password comes from PassFile.
func (c *Cluster) DSN(dbname string) string {
	var hosts, ports []string
	for _, n := range c.order {
		hosts = append(hosts, "127.0.0.1")
		ports = append(ports, strconv.Itoa(c.members[n].pgPort))
	}
	return fmt.Sprintf("host=%s port=%s user=%s dbname=%s target_session_attrs=read-write connect_timeout=2",
		strings.Join(hosts, ","), strings.Join(ports, ","), superuser, dbname)
}

// MemberDSN reaches one member whatever its role.
func (c *Cluster) MemberDSN(name, dbname string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=%s connect_timeout=2", c.members[name].pgPort, superuser, dbname)
}

// PassFile is the PGPASSFILE that holds the superuser's password.
func (c *Cluster) PassFile() string { return c.passFile }

// ConsulAddr is the coordination store's HTTP address; Scope is the
// Patroni cluster's name (its keys are under service/<scope>/).
func (c *Cluster) ConsulAddr() string { return c.consulAddr }
func (c *Cluster) Scope() string      { return c.scope }

// TTL is the leader key's TTL Patroni was configured with.
func (c *Cluster) TTL() time.Duration { return time.Duration(c.o.TTL) * time.Second }

// Sites lists the members in start order.
func (c *Cluster) Sites() []string { return append([]string(nil), c.order...) }

// Members asks any reachable member's REST API for the cluster's state.
func (c *Cluster) Members(ctx context.Context) ([]Member, error) {
	var last error
	for _, n := range c.order {
		c.mu.Lock()
		m := c.members[n]
		c.mu.Unlock()
		ms, err := getCluster(ctx, m.apiPort)
		if err == nil {
			return ms, nil
		}
		last = err
	}
	return nil, fmt.Errorf("pgcluster: no member answers: %w", last)
}

// Primary names the leader, or "" when there is none.
func (c *Cluster) Primary(ctx context.Context) (string, error) {
	ms, err := c.Members(ctx)
	if err != nil {
		return "", err
	}
	return roleOf(ms, "leader"), nil
}

// WaitPrimary waits for a leader other than not (empty: any) taking writes, and returns it.
func (c *Cluster) WaitPrimary(ctx context.Context, not string, timeout time.Duration) (string, error) {
	var got string
	deadline := time.Now().Add(timeout)
	err := c.waitFor(ctx, "a new leader", timeout, func(ms []Member) bool {
		got = roleOf(ms, "leader")
		return got != "" && got != not
	})
	if err != nil {
		return got, err
	}
	// Patroni takes the leader key before its PostgreSQL has left recovery:
	// the primary is there once it takes writes.
	for {
		out, qerr := c.Psql(c.MemberDSN(got, "postgres"), "SELECT pg_is_in_recovery()")
		if qerr == nil && out == "f" {
			return got, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return got, fmt.Errorf("pgcluster: %s is leader but still in recovery after %s (%q, %v)", got, timeout, out, qerr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// WaitState waits until cond holds on the members' state.
func (c *Cluster) WaitState(ctx context.Context, what string, timeout time.Duration, cond func([]Member) bool) error {
	return c.waitFor(ctx, what, timeout, cond)
}

// Kill takes a site dark at once: SIGKILL to its Patroni and to its
// PostgreSQL postmaster and backends, nothing shut down cleanly.
func (c *Cluster) Kill(name string) error {
	c.mu.Lock()
	m, ok := c.members[name]
	c.mu.Unlock()
	if !ok {
		return fmt.Errorf("pgcluster: no member %q", name)
	}
	m.patroni.kill()
	killPostgres(m.dataDir, syscall.SIGKILL)
	m.patroni.wait(5 * time.Second)
	return nil
}

// Restart starts a killed or stopped member again on its data directory.
func (c *Cluster) Restart(name string) error {
	c.mu.Lock()
	m, ok := c.members[name]
	c.mu.Unlock()
	if !ok {
		return fmt.Errorf("pgcluster: no member %q", name)
	}
	uid, gid, err := runAs()
	if err != nil {
		return err
	}
	return c.startMember(m, uid, gid)
}

// Stop ends every member (SIGINT: Patroni stops its PostgreSQL), then
// whatever is left, then Consul, and removes the data.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	ms := make([]*member, 0, len(c.members))
	for _, m := range c.members {
		ms = append(ms, m)
	}
	c.mu.Unlock()
	for _, m := range ms {
		if m.patroni != nil {
			m.patroni.signal(syscall.SIGINT)
		}
	}
	for _, m := range ms {
		if m.patroni != nil && !m.patroni.wait(15*time.Second) {
			m.patroni.kill()
		}
		killPostgres(m.dataDir, syscall.SIGKILL)
	}
	if c.consul != nil {
		c.consul.signal(syscall.SIGINT)
		if !c.consul.wait(10 * time.Second) {
			c.consul.kill()
		}
	}
	if c.dir != "" {
		return os.RemoveAll(c.dir)
	}
	return nil
}

func (c *Cluster) logf(format string, args ...any) {
	fmt.Fprintf(c.o.Log, "pgcluster: "+format+"\n", args...)
}

func (c *Cluster) startConsul(ctx context.Context) error {
	ports, err := freePorts(4)
	if err != nil {
		return err
	}
	c.consulAddr = fmt.Sprintf("127.0.0.1:%d", ports[0])
	args := []string{"agent", "-dev", "-node", "pgcluster-dcs", "-bind", "127.0.0.1", "-client", "127.0.0.1",
		"-http-port", strconv.Itoa(ports[0]), "-dns-port", "-1", "-grpc-port", "-1",
		"-serf-lan-port", strconv.Itoa(ports[1]), "-serf-wan-port", strconv.Itoa(ports[2]),
		"-server-port", strconv.Itoa(ports[3]),
		"-hcl", "disable_update_check = true", "-hcl", "ports { grpc_tls = -1 }"}
	p, err := startProc(filepath.Join(c.o.AgentsDir, "consul"), args, filepath.Join(c.dir, "consul.log"), nil, cleanEnv())
	if err != nil {
		return fmt.Errorf("pgcluster: consul: %w", err)
	}
	c.consul = p
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + c.consulAddr + "/v1/status/leader")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), ":") {
				c.logf("consul up on %s", c.consulAddr)
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("pgcluster: consul on %s did not elect itself in 30 s (log: %s)", c.consulAddr, filepath.Join(c.dir, "consul.log"))
}

func (c *Cluster) writeConfig(m *member, uid, gid int) error {
	sync := "true"
	if c.o.Async {
		sync = "false"
	}
	loop, retry := 5, 5 // loop_wait + 2×retry_timeout ≤ ttl
	cfg := fmt.Sprintf(`scope: %[1]s
name: %[2]s
restapi:
  listen: 127.0.0.1:%[4]d
  connect_address: 127.0.0.1:%[4]d
consul:
  host: %[5]s
  register_service: false
%[16]sbootstrap:
  dcs:
    ttl: %[6]d
    loop_wait: %[7]d
    retry_timeout: %[8]d
    synchronous_mode: %[9]s
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        max_connections: 100
  initdb:
    - encoding: UTF8
    - data-checksums
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
postgresql:
  listen: 127.0.0.1:%[3]d
  connect_address: 127.0.0.1:%[3]d
  data_dir: %[10]s
  bin_dir: %[11]s
  pgpass: %[12]s
  authentication:
    superuser: {username: %[13]s, password: %[14]s}
    replication: {username: replicator, password: %[14]s}
    rewind: {username: rewinder, password: %[14]s}
  parameters:
    unix_socket_directories: %[15]s
`, c.scope, m.name, m.pgPort, m.apiPort, c.consulAddr, c.o.TTL, loop, retry, sync,
		m.dataDir, binDir(), filepath.Join(c.dir, m.name, "pgpass"), superuser, c.password, filepath.Join(c.dir, m.name), c.consulTLS())
	home := filepath.Join(c.dir, m.name)
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(m.config, []byte(cfg), 0o600); err != nil {
		return err
	}
	for _, p := range []string{home, m.config} {
		if err := os.Chown(p, uid, gid); err != nil {
			return err
		}
	}
	return nil
}

// consulTLS is the consul block's lines for an HTTPS agent.
func (c *Cluster) consulTLS() string {
	if c.o.ConsulCACert == "" {
		return ""
	}
	return fmt.Sprintf("  scheme: https\n  cacert: %s\n", c.o.ConsulCACert)
}

func (c *Cluster) startMember(m *member, uid, gid int) error {
	var cred *syscall.Credential
	if uid != os.Getuid() {
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	env := append(cleanEnv(), "HOME="+filepath.Join(c.dir, m.name))
	if c.o.ConsulToken != "" {
		env = append(env, "PATRONI_CONSUL_TOKEN="+c.o.ConsulToken)
	}
	p, err := startProc("patroni", []string{m.config}, filepath.Join(c.dir, m.name+".log"), cred, env)
	if err != nil {
		return fmt.Errorf("pgcluster: patroni %s: %w", m.name, err)
	}
	c.mu.Lock()
	m.patroni = p
	c.mu.Unlock()
	c.logf("%s: patroni started (postgres :%d, api :%d)", m.name, m.pgPort, m.apiPort)
	return nil
}

func (c *Cluster) waitFor(ctx context.Context, what string, timeout time.Duration, cond func([]Member) bool) error {
	deadline := time.Now().Add(timeout)
	var last []Member
	var lastErr error
	for {
		ms, err := c.Members(ctx)
		if err == nil {
			last, lastErr = ms, nil
			if cond(ms) {
				return nil
			}
		} else {
			lastErr = err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pgcluster: waited %s for %s: members %s, last error %v (logs in %s)", timeout, what, describe(last), lastErr, c.dir)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func describe(ms []Member) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, fmt.Sprintf("%s:%s:%s", m.Name, m.Role, m.State))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

func roleOf(ms []Member, role string) string {
	for _, m := range ms {
		if m.Role == role && (m.State == "running" || m.State == "streaming") {
			return m.Name
		}
	}
	return ""
}

func getCluster(ctx context.Context, apiPort int) ([]Member, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/cluster", apiPort), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /cluster: %s", resp.Status)
	}
	var body struct {
		Members []Member `json:"members"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("GET /cluster: %w", err)
	}
	return body.Members, nil
}

// runAs is who runs PostgreSQL: it refuses root, so root hands it to the
// postgres user Debian's package creates; anyone else runs it as themself.
func runAs() (uid, gid int, err error) {
	if os.Getuid() != 0 {
		return os.Getuid(), os.Getgid(), nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return 0, 0, fmt.Errorf("pgcluster: running as root needs the postgres user (apt-get install postgresql): %w", err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	return uid, gid, nil
}

// freePorts asks the kernel for distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "CONSUL_") || strings.HasPrefix(kv, "PATRONI_") || strings.HasPrefix(kv, "HOME=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func randomWord() string {
	b := make([]byte, 12)
	f, err := os.Open("/dev/urandom")
	if err == nil {
		io.ReadFull(f, b)
		f.Close()
	}
	const abc = "abcdefghijklmnopqrstuvwxyz0123456789"
	for i := range b {
		b[i] = abc[int(b[i])%len(abc)]
	}
	return string(b)
}

// proc is one child process. Spawns go through one locked thread so that
// Pdeathsig (fired when the forking thread exits) means "the test died".
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

var (
	spawnOnce sync.Once
	spawnCh   = make(chan spawnReq)
)

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

func startProc(bin string, args []string, logPath string, cred *syscall.Credential, env []string) (*proc, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr, cmd.Env = logf, logf, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Credential: cred}
	spawnOnce.Do(func() {
		go func() {
			runtime.LockOSThread()
			for r := range spawnCh {
				r.done <- r.cmd.Start()
			}
		}()
	})
	r := spawnReq{cmd: cmd, done: make(chan error, 1)}
	spawnCh <- r
	if err := <-r.done; err != nil {
		logf.Close()
		return nil, err
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) signal(s syscall.Signal) {
	if p == nil {
		return
	}
	select {
	case <-p.done:
	default:
		p.cmd.Process.Signal(s)
	}
}

func (p *proc) kill() {
	if p == nil {
		return
	}
	// The whole group: Patroni and anything it forked that kept its group.
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	p.signal(syscall.SIGKILL)
}

func (p *proc) wait(d time.Duration) bool {
	if p == nil {
		return true
	}
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

// killPostgres signals the postmaster of dataDir (from postmaster.pid) and
// its children, so a "site gone dark" leaves no backend behind.
func killPostgres(dataDir string, sig syscall.Signal) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 1 {
		return
	}
	for _, child := range childrenOf(pid) {
		syscall.Kill(child, sig)
	}
	syscall.Kill(pid, sig)
}

func childrenOf(pid int) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so cut after ")".
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) > 1 {
			if pp, _ := strconv.Atoi(f[1]); pp == pid {
				out = append(out, n)
			}
		}
	}
	return out
}

// Psql runs one statement on dsn with the cluster's pgpass, through
// Debian's psql, and returns its unaligned output.
func (c *Cluster) Psql(dsn, sql string) (string, error) {
	bin := filepath.Join(binDir(), "psql")
	if _, err := os.Stat(bin); err != nil {
		return "", ErrMissing
	}
	cmd := exec.Command(bin, dsn, "-qtAX", "-c", sql)
	cmd.Env = append(os.Environ(), "PGPASSFILE="+c.passFile)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
