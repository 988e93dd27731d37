package devcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/hashicorp/go-cleanhttp"
	nomadapi "github.com/hashicorp/nomad/api"
)

// Options configure Start. Zero values take the defaults below.
type Options struct {
	AgentsDir          string            // default AgentsDir()
	Sites              []string          // default paris, lyon, bruxelles (one Nomad client each, datacenter = site)
	Hosts              map[string]string // site -> member handle hosting the machine; default paris:amelie lyon:lucas bruxelles:chloe
	Log                io.Writer         // progress lines; agents' own output goes to <DataDir>/<agent>.log
	DataDir            string            // default a fresh temp dir, removed by Stop; a caller's dir must be new or empty, and Stop keeps it (agents' logs) once unmounted
	PreferDefaultPorts bool              // demo: use Nomad 4646-4648 and Consul 8500.. when all free, else fall back
	// Secure runs the cluster as a real collective does: TLS everywhere and
	// ACLs bootstrapped, with the deploy/policies tokens (see secure.go).
	Secure bool
}

// DefaultSites are the collective's three sites.
var defaultSites = []string{"paris", "lyon", "bruxelles"}

var defaultHosts = map[string]string{"paris": "amelie", "lyon": "lucas", "bruxelles": "chloe"}

// startTimeout bounds each startup wait; the agents are up in ~2 s here.
const startTimeout = 60 * time.Second

// Cluster is a running dev cluster. Its methods are safe for concurrent use.
type Cluster struct {
	o       Options
	dataDir string // symlinks resolved, so it matches /proc and mountinfo paths
	ownDir  bool
	ports   portPlan
	locks   []*portLock
	sec     *security // nil on a plain cluster

	consul  *agent            // the Consul server (-dev)
	dc2     *agent            // a second Consul datacenter's server, once StartConsulDC ran
	server  *agent            // the Nomad server
	agents  map[string]*agent // by site: the site's Consul client agent
	clients map[string]*agent // by site: the site's Nomad client

	nomad   *nomadapi.Client
	consulc *consulapi.Client

	logMu sync.Mutex

	mu      sync.Mutex // guards stopped, stopErr, orphans
	stopped bool
	stopErr error
	orphans []procID // task processes seen under a client before it was stopped
}

// Start launches consul -dev (and waits for its leader) and one Consul
// client agent per site (and waits for them to join), then the Nomad server
// and one client per site together, and waits for the Nomad leader and
// every node ready with raw_exec healthy. On error everything started is
// torn down and the error carries the tail of the failing agent's log.
func Start(ctx context.Context, o Options) (_ *Cluster, err error) {
	if err := resolveOptions(&o); err != nil {
		return nil, err
	}
	nomadBin, consulBin, err := agentBinaries(o.AgentsDir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{o: o, agents: map[string]*agent{}, clients: map[string]*agent{}}
	defer func() {
		if err != nil {
			if serr := c.Stop(); serr != nil {
				err = errors.Join(err, fmt.Errorf("cleanup after failed start: %w", serr))
			}
		}
	}()
	if err := c.makeDataDir(); err != nil {
		return nil, err
	}
	if c.ports, c.locks, err = acquirePorts(len(o.Sites), o.PreferDefaultPorts); err != nil {
		return nil, err
	}
	c.logf("devcluster: data dir %s, port slot %d (nomad %d, consul %d)", c.dataDir, c.ports.Slot, c.ports.Server.HTTP, c.ports.Consul.HTTP)
	if o.Secure {
		if c.sec, err = newSecurity(c.dataDir); err != nil {
			return nil, err
		}
	}
	if err := c.writeConfigs(nomadBin, consulBin); err != nil {
		return nil, err
	}
	httpc, err := c.httpClient(10 * time.Second)
	if err != nil {
		return nil, err
	}
	nc, cc := &nomadapi.Config{Address: c.NomadAddr(), HttpClient: httpc}, &consulapi.Config{Address: c.ConsulAddr(), HttpClient: httpc}
	if c.sec != nil {
		nc.SecretID, cc.Token, cc.Scheme = c.sec.tokens.Management.Nomad, c.sec.tokens.Management.Consul, "https"
	}
	if c.nomad, err = nomadapi.NewClient(nc); err != nil {
		return nil, err
	}
	if c.consulc, err = consulapi.NewClient(cc); err != nil {
		return nil, err
	}

	if err := c.startConsul(ctx); err != nil {
		return nil, err
	}
	if c.sec != nil {
		if err := c.bootstrapConsul(ctx); err != nil {
			return nil, err
		}
		c.logf("consul: ACLs bootstrapped, policies %s and %s", PolicyRead, PolicyOperator)
	}
	if err := c.startConsulAgents(ctx); err != nil {
		return nil, err
	}
	t0 := time.Now()
	nomads := []*agent{c.server}
	for _, s := range o.Sites {
		nomads = append(nomads, c.clients[s])
	}
	for _, a := range nomads {
		if err := a.start(); err != nil {
			return nil, err
		}
	}
	if err := c.waitNomadLeader(ctx, nomads); err != nil {
		return nil, err
	}
	c.logf("nomad: leader elected in %.1fs", time.Since(t0).Seconds())
	if c.sec != nil {
		if err := c.bootstrapNomad(ctx); err != nil {
			return nil, err
		}
		c.logf("nomad: ACLs bootstrapped, policies %s and %s", PolicyRead, PolicyOperator)
	}
	if err := c.waitNodesReady(ctx, nomads); err != nil {
		return nil, err
	}
	c.logf("nomad: %d nodes ready in %.1fs", len(o.Sites), time.Since(t0).Seconds())
	return c, nil
}

func resolveOptions(o *Options) error {
	if o.AgentsDir == "" {
		o.AgentsDir = AgentsDir()
	}
	if len(o.Sites) == 0 {
		o.Sites = defaultSites
	}
	if o.Hosts == nil {
		o.Hosts = defaultHosts
	}
	if len(o.Sites) > maxSites {
		return fmt.Errorf("devcluster: at most %d sites", maxSites)
	}
	seen := map[string]bool{}
	for _, s := range o.Sites {
		if s == "" || s == "server" || seen[s] || filepath.Base(s) != s {
			return fmt.Errorf("devcluster: bad or duplicate site name %q", s)
		}
		seen[s] = true
		if o.Hosts[s] == "" {
			return fmt.Errorf("devcluster: no host (member handle) for site %q in Options.Hosts", s)
		}
	}
	return nil
}

func (c *Cluster) makeDataDir() error {
	dir := c.o.DataDir
	if dir == "" {
		d, err := os.MkdirTemp("", tempDirPrefix)
		if err != nil {
			return err
		}
		dir, c.ownDir, c.dataDir = d, true, d // dataDir set early: Stop removes it on a later error
		if err := writeOwner(d); err != nil {
			return err
		}
	} else {
		// Stop kills every process referencing the data dir, so it must be
		// the cluster's own: a dir like /tmp or $HOME would take strangers.
		if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
			return fmt.Errorf("devcluster: DataDir %s is not empty (it must be new or empty: Stop kills whatever uses it)", dir)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	abs, err := filepath.Abs(dir)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return err
	}
	if abs == "/" {
		return errors.New("devcluster: DataDir must not be /")
	}
	c.dataDir = abs
	if c.ownDir {
		c.sweepStale()
	}
	return nil
}

func (c *Cluster) writeConfigs(nomadBin, consulBin string) error {
	write := func(name, text string) (string, error) {
		p := filepath.Join(c.dataDir, name)
		return p, os.WriteFile(p, []byte(text), 0o644)
	}
	newAgent := func(name, bin string, args ...string) *agent {
		return &agent{name: name, bin: bin, args: args, logPath: filepath.Join(c.dataDir, name+".log")}
	}
	p := c.ports
	f, err := write("consul.hcl", consulHCL(p.Consul, c.sec))
	if err != nil {
		return err
	}
	c.consul = newAgent("consul", consulBin, consulArgs(f, c.o.Sites[0])...)

	f, err = write("nomad-server.hcl", nomadServerHCL(c.o.Sites[0], filepath.Join(c.dataDir, "nomad-server"), p.Server, p.Consul.HTTP, c.sec))
	if err != nil {
		return err
	}
	c.server = newAgent("nomad-server", nomadBin, "agent", "-config", f)

	for i, s := range c.o.Sites {
		f, err := write("consul-"+s+".hcl", consulClientHCL(s, filepath.Join(c.dataDir, "consul-"+s), p.Clients[i], p.Consul.SerfLAN, c.sec))
		if err != nil {
			return err
		}
		c.agents[s] = newAgent("consul-"+s, consulBin, "agent", "-config-file", f)
		hcl := nomadClientHCL(s, c.o.Hosts[s], filepath.Join(c.dataDir, "nomad-"+s), p.Clients[i], p.Server.RPC, c.sec)
		if f, err = write("nomad-"+s+".hcl", hcl); err != nil {
			return err
		}
		c.clients[s] = newAgent("nomad-"+s, nomadBin, "agent", "-config", f)
	}
	return nil
}

// NomadAddr is the Nomad server's HTTP address, e.g. "http://127.0.0.1:30010"
// ("https://…" on a secure cluster).
func (c *Cluster) NomadAddr() string { return c.nomadURL(c.ports.Server.HTTP) }

func (c *Cluster) nomadURL(port int) string {
	scheme := "http"
	if c.sec != nil {
		scheme = "https"
	}
	return fmt.Sprintf("%s://127.0.0.1:%d", scheme, port)
}

// httpClient is for the devcluster's own requests: on a secure cluster it
// trusts the CA and presents the member certificate.
func (c *Cluster) httpClient(timeout time.Duration) (*http.Client, error) {
	tr := cleanhttp.DefaultPooledTransport()
	if c.sec != nil {
		tc, err := c.sec.clientTLS()
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = tc
	}
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}

// ConsulAddr is Consul's HTTP address as CONSUL_HTTP_ADDR takes it.
func (c *Cluster) ConsulAddr() string { return fmt.Sprintf("127.0.0.1:%d", c.ports.Consul.HTTP) }

func (c *Cluster) logf(format string, args ...any) {
	if c.o.Log == nil {
		return
	}
	c.logMu.Lock()
	defer c.logMu.Unlock()
	fmt.Fprintf(c.o.Log, format+"\n", args...)
}

func (c *Cluster) checkLive() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return errors.New("devcluster: cluster stopped")
	}
	return nil
}

func (c *Cluster) client(site string) (*agent, error) {
	if err := c.checkLive(); err != nil {
		return nil, err
	}
	a := c.clients[site]
	if a == nil {
		return nil, fmt.Errorf("devcluster: unknown site %q (sites: %v)", site, c.o.Sites)
	}
	return a, nil
}

// StopClient stops a site's Nomad client (SIGINT), as when the site goes
// dark. Its tasks keep running, as they do with a real client; the server
// marks the node down after the heartbeat TTL (~4-6 s with this config).
func (c *Cluster) StopClient(site string) error {
	a, err := c.client(site)
	if err != nil {
		return err
	}
	c.rememberOrphans(a)
	return a.stop(10 * time.Second)
}

// StartClient starts a stopped site client again (same config and state: it
// re-attaches to its tasks) and returns once its HTTP API answers; the node
// turns ready again a moment later.
func (c *Cluster) StartClient(site string) error {
	a, err := c.client(site)
	if err != nil {
		return err
	}
	if err := a.start(); err != nil {
		return err
	}
	idx := slices.Index(c.o.Sites, site)
	httpc, err := c.httpClient(2 * time.Second)
	if err != nil {
		return err
	}
	// /v1/agent/self wants agent:read under ACLs.
	cl, err := nomadapi.NewClient(&nomadapi.Config{Address: c.nomadURL(c.ports.Clients[idx].HTTP), HttpClient: httpc, SecretID: c.Tokens().Management.Nomad})
	if err != nil {
		return err
	}
	return c.waitFor(context.Background(), a.name+" HTTP API", []*agent{a}, func() (bool, string) {
		_, err := cl.Agent().Self()
		return err == nil, errString(err)
	})
}

// CutSite cuts a site off, as a falling tree on its line would: its Consul
// agent is killed (no leave: Consul marks the node failed, its services
// critical) and its Nomad client stopped (the server marks the node down).
// The site's tasks keep running, unreachable.
func (c *Cluster) CutSite(site string) error {
	a, err := c.client(site)
	if err != nil {
		return err
	}
	if err := c.agents[site].kill(); err != nil {
		return err
	}
	c.rememberOrphans(a)
	return a.stop(10 * time.Second)
}

// RestoreSite brings a cut site back: its Consul agent rejoins (and syncs
// its services), then its Nomad client starts again.
func (c *Cluster) RestoreSite(site string) error {
	if _, err := c.client(site); err != nil {
		return err
	}
	ag := c.agents[site]
	if err := ag.start(); err != nil {
		return err
	}
	if err := c.waitConsulMembers(context.Background(), []*agent{ag, c.consul}); err != nil {
		return err
	}
	return c.StartClient(site)
}

// StopNomadServer stops the Nomad server (SIGINT); clients keep their tasks.
func (c *Cluster) StopNomadServer() error {
	if err := c.checkLive(); err != nil {
		return err
	}
	return c.server.stop(10 * time.Second)
}

// StartNomadServer restarts the server on the same ports and data dir (state
// kept) and returns once it has elected itself leader again.
func (c *Cluster) StartNomadServer() error {
	if err := c.checkLive(); err != nil {
		return err
	}
	t0 := time.Now()
	if err := c.server.start(); err != nil {
		return err
	}
	if err := c.waitNomadLeader(context.Background(), []*agent{c.server}); err != nil {
		return err
	}
	c.logf("nomad: server back, leader in %.1fs", time.Since(t0).Seconds())
	return nil
}

// StopConsul stops Consul as a whole (SIGINT): the server first, as in an
// outage (site agents leaving first would empty its catalog before it goes,
// and a watcher would rightly show that), then the sites' agents. Being
// -dev, the server forgets everything; the site agents keep the services
// the Nomad clients registered with them in their data dirs.
func (c *Cluster) StopConsul() error {
	if err := c.checkLive(); err != nil {
		return err
	}
	err := c.consul.stop(10 * time.Second)
	return errors.Join(append(stopAll(c.agents), err)...)
}

// StartConsul starts the server again on the same ports, then the site
// agents, which rejoin it and sync their services back into its catalog.
// (Restarting the server alone would leave its catalog empty until the
// agents' next periodic full sync, a minute or more.)
func (c *Cluster) StartConsul() error {
	if err := c.checkLive(); err != nil {
		return err
	}
	ctx := context.Background()
	if err := c.startConsul(ctx); err != nil {
		return err
	}
	return c.startConsulAgents(ctx)
}

func (c *Cluster) startConsul(ctx context.Context) error {
	t0 := time.Now()
	if err := c.consul.start(); err != nil {
		return err
	}
	err := c.waitFor(ctx, "consul leader", []*agent{c.consul}, func() (bool, string) {
		l, err := c.consulc.Status().Leader()
		return err == nil && l != "", errString(err)
	})
	if err != nil {
		return err
	}
	c.logf("consul: leader elected in %.1fs", time.Since(t0).Seconds())
	return nil
}

// startConsulAgents starts every site's Consul client agent and waits until
// each is an alive member of the server's LAN pool.
func (c *Cluster) startConsulAgents(ctx context.Context) error {
	t0 := time.Now()
	var watch []*agent
	for _, s := range c.o.Sites {
		a := c.agents[s]
		if err := a.start(); err != nil {
			return err
		}
		watch = append(watch, a)
	}
	if err := c.waitConsulMembers(ctx, append(watch, c.consul)); err != nil {
		return err
	}
	c.logf("consul: %d site agents joined in %.1fs", len(c.o.Sites), time.Since(t0).Seconds())
	return nil
}

// serfAlive is serf.StatusAlive, the AgentMember.Status of a live member.
const serfAlive = 1

// waitConsulMembers waits until every running site agent is an alive LAN
// member of the server.
func (c *Cluster) waitConsulMembers(ctx context.Context, watch []*agent) error {
	return c.waitFor(ctx, "consul site agents", watch, func() (bool, string) {
		members, err := c.consulc.Agent().Members(false)
		if err != nil {
			return false, err.Error()
		}
		alive := map[string]bool{}
		for _, m := range members {
			alive[m.Name] = m.Status == serfAlive
		}
		var missing []string
		for _, s := range c.o.Sites {
			if c.agents[s].running() && !alive[s] {
				missing = append(missing, s)
			}
		}
		return len(missing) == 0, fmt.Sprintf("not alive yet: %v", missing)
	})
}

// StartConsulDC starts a second Consul datacenter named name (its own -dev
// server, with node meta site=name), joins it to the first over the WAN and
// returns its HTTP address once the first lists it. One per cluster; after
// StopConsulDC it starts again (empty, being -dev) under the same name.
func (c *Cluster) StartConsulDC(ctx context.Context, name string) (string, error) {
	if err := c.checkLive(); err != nil {
		return "", err
	}
	if name == "" || name == "dc1" || filepath.Base(name) != name {
		return "", fmt.Errorf("devcluster: bad datacenter name %q", name)
	}
	_, consulBin, err := agentBinaries(c.o.AgentsDir)
	if err != nil {
		return "", err
	}
	f := filepath.Join(c.dataDir, "consul-"+name+".hcl")
	var sec *security
	if c.sec != nil {
		if sec, err = c.sec.forDC(name); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(f, []byte(consulHCL(c.ports.DC2, sec)), 0o644); err != nil {
		return "", err
	}
	c.mu.Lock()
	a := c.dc2
	switch {
	case a == nil:
		a = &agent{name: "consul-" + name, bin: consulBin, logPath: filepath.Join(c.dataDir, "consul-"+name+".log"),
			args: []string{"agent", "-dev", "-datacenter", name, "-node", "consul-" + name, "-node-id", consulDC2NodeID, "-node-meta", "site:" + name,
				"-bind", "127.0.0.1", "-client", "127.0.0.1", "-config-file", f}}
		c.dc2 = a
	case a.name != "consul-"+name || a.running():
		c.mu.Unlock()
		return "", fmt.Errorf("devcluster: a second datacenter (%s) already exists", a.name)
	}
	c.mu.Unlock()
	if err := a.start(); err != nil {
		return "", err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", c.ports.DC2.HTTP)
	httpc, err := c.httpClient(5 * time.Second)
	if err != nil {
		return "", err
	}
	cfg := &consulapi.Config{Address: addr, HttpClient: httpc}
	if c.sec != nil {
		cfg.Scheme = "https"
	}
	cc, err := consulapi.NewClient(cfg)
	if err != nil {
		return "", err
	}
	t0 := time.Now()
	err = c.waitFor(ctx, "consul "+name+" leader", []*agent{a}, func() (bool, string) {
		l, err := cc.Status().Leader()
		return err == nil && l != "", errString(err)
	})
	if err != nil {
		return "", err
	}
	if err := c.consulc.Agent().Join(fmt.Sprintf("127.0.0.1:%d", c.ports.DC2.SerfWAN), true); err != nil {
		return "", fmt.Errorf("devcluster: joining %s over the WAN: %w", name, err)
	}
	err = c.waitFor(ctx, "datacenter "+name+" known", []*agent{a, c.consul}, func() (bool, string) {
		dcs, err := c.consulc.Catalog().Datacenters()
		return err == nil && slices.Contains(dcs, name), fmt.Sprintf("datacenters %v %s", dcs, errString(err))
	})
	if err != nil {
		return "", err
	}
	c.logf("consul: datacenter %s joined in %.1fs", name, time.Since(t0).Seconds())
	return addr, nil
}

// StopConsulDC stops the second datacenter's server (SIGINT), as when the
// link to it is cut.
func (c *Cluster) StopConsulDC() error {
	if err := c.checkLive(); err != nil {
		return err
	}
	c.mu.Lock()
	a := c.dc2
	c.mu.Unlock()
	if a == nil {
		return errors.New("devcluster: no second datacenter")
	}
	return a.stop(10 * time.Second)
}
