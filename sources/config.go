package sources

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/hashicorp/go-cleanhttp"
	nomadapi "github.com/hashicorp/nomad/api"
)

// Config overrides the api clients' defaults. Empty fields keep what
// nomadapi.DefaultConfig / consulapi.DefaultConfig read from the
// environment (NOMAD_ADDR, NOMAD_TOKEN, NOMAD_CACERT, NOMAD_REGION,
// NOMAD_NAMESPACE, CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, CONSUL_CACERT...).
type Config struct {
	NomadAddr, NomadToken, NomadRegion string
	// NomadNamespace is the namespace followed; empty: NOMAD_NAMESPACE,
	// else "default" (as the nomad CLI). "*" follows every namespace.
	NomadNamespace          string
	ConsulAddr, ConsulToken string
	// SiteKey groups nodes into sites: "" or "datacenter" by datacenter,
	// "meta.<key>" by that node meta key.
	SiteKey string
	// HostKey is the node meta key naming the member who hosts the
	// machine; default "hosted_by".
	HostKey string
	// PatroniScope, when set, follows the collective's replicated database
	// through the keys Patroni keeps in Consul (service/<scope>/).
	PatroniScope string
	// CacheDir, when set, keeps the nodes' meta between runs
	// (nodecache.go): the first frame then needs no request per node.
	CacheDir string
}

// Timing of the follow loops. Fields of Watcher so tests can shrink them.
const (
	defaultWaitTime = 5 * time.Minute
	// defaultMinSpacing coalesces Consul changes: under churn each
	// blocking query returns at once, so at most one per second per query.
	defaultMinSpacing = time.Second
	defaultBackoffMin = 250 * time.Millisecond
	defaultBackoffMax = 30 * time.Second
	// requestSlack is added to the blocking wait (plus the wait/16 jitter
	// the servers add) before a request counts as hung.
	defaultRequestSlack = 15 * time.Second
	// defaultStreamIdle: Nomad sends a heartbeat every 10 s on the event
	// stream; this long without a frame means the connection hung.
	defaultStreamIdle = 35 * time.Second
	// defaultResyncAfter: relist Nomad this often to drop what was garbage
	// collected (GC emits no event). 5 requests per period.
	defaultResyncAfter = 15 * time.Minute
	// defaultDCRefresh: how often the list of Consul datacenters is read.
	defaultDCRefresh = time.Minute
	// defaultPublishEvery bounds snapshot builds under churn: a change
	// after a quiet spell is published at once, but under sustained churn
	// one snapshot every 2 s (wander's refresh) is what a member can read,
	// and each costs a full build, a diff, every screen's update and a
	// redraw: at one a second those were half of the binary's CPU under
	// the bench's churn, more than wander's whole relisting.
	defaultPublishEvery = 2 * time.Second
)

// New builds both clients. A malformed address is an error; an unreachable
// backend is not (the watcher keeps retrying and reports it in Health).
func New(cfg Config) (*Watcher, error) {
	if cfg.SiteKey != "" && cfg.SiteKey != "datacenter" {
		if k, ok := strings.CutPrefix(cfg.SiteKey, "meta."); !ok || k == "" {
			return nil, fmt.Errorf("sources: site key %q: want \"datacenter\" or \"meta.<key>\"", cfg.SiteKey)
		}
	}
	if cfg.HostKey == "" {
		cfg.HostKey = "hosted_by"
	}

	nc := nomadapi.DefaultConfig()
	if cfg.NomadAddr != "" {
		nc.Address = cfg.NomadAddr
	}
	if cfg.NomadToken != "" {
		nc.SecretID = cfg.NomadToken
	}
	if cfg.NomadRegion != "" {
		nc.Region = cfg.NomadRegion
	}
	// Every request the client makes without a namespace of its own uses it.
	nc.Namespace = nomadNamespace(cfg.NomadNamespace, nc.Namespace)
	ns := nc.Namespace
	if err := checkURL("nomad", nc.Address); err != nil {
		return nil, err
	}
	lc := *nc // before NewClient, which fills in its parsed URL
	nomad, err := nomadapi.NewClient(nc)
	if err != nil {
		return nil, fmt.Errorf("sources: nomad client: %w", err)
	}
	lists := nomad
	if onThisMachine(nc.Address) {
		hc, err := uncompressedNomadClient(nc.TLSConfig)
		if err != nil {
			return nil, fmt.Errorf("sources: nomad client: %w", err)
		}
		lc.HttpClient = hc
		if lists, err = nomadapi.NewClient(&lc); err != nil {
			return nil, fmt.Errorf("sources: nomad client: %w", err)
		}
	}

	cc := consulapi.DefaultConfig()
	if cfg.ConsulAddr != "" {
		cc.Address = cfg.ConsulAddr
	}
	if cfg.ConsulToken != "" {
		cc.Token = cfg.ConsulToken
	}
	consulAddr := cc.Address
	if !strings.Contains(consulAddr, "://") {
		consulAddr = cc.Scheme + "://" + consulAddr
	}
	if err := checkURL("consul", consulAddr); err != nil {
		return nil, err
	}
	if onThisMachine(consulAddr) && cc.Transport != nil {
		cc.Transport.DisableCompression = true // see onThisMachine
	}
	consul, err := consulapi.NewClient(cc)
	if err != nil {
		return nil, fmt.Errorf("sources: consul client: %w", err)
	}

	w := &Watcher{
		nomad: nomad, lists: lists, consul: consul,
		nomadAddr: displayAddr(nc.Address), consulAddr: displayAddr(consulAddr),
		nomadToken: nc.SecretID, consulToken: cc.Token,
		region: nc.Region, namespace: ns,
		group:        grouping{SiteKey: cfg.SiteKey, HostKey: cfg.HostKey},
		patroniScope: cfg.PatroniScope, patroniSeen: map[string]StoreMember{},
		patroniH: part{backend: "consul", resource: "database members (Patroni keys)"},
		updates:  make(chan struct{}, 1),
		dirty:    make(chan struct{}, 1),
		first:    make(chan struct{}, 1),
		nomadH:   part{backend: "nomad", resource: "jobs"},
		dcsH:     part{backend: "consul", resource: "datacenters"},
		local:    newDC("", true),
		remote:   map[string]*dcData{},

		waitTime: defaultWaitTime, minSpacing: defaultMinSpacing,
		backoffMin: defaultBackoffMin, backoffMax: defaultBackoffMax,
		requestSlack: defaultRequestSlack,
		streamIdle:   defaultStreamIdle, resyncAfter: defaultResyncAfter,
		dcRefresh: defaultDCRefresh, publishEvery: defaultPublishEvery,
	}
	if w.nodeCache = nodeCacheFile(cfg.CacheDir, w.nomadAddr, nc.Region, ns); w.nodeCache != "" {
		w.nodeMeta = loadNodeCache(w.nodeCache)
	}
	w.snap.Store(buildSnapshot(w.inputsLocked(), w.group, time.Time{}, nil))
	return w, nil
}

// nomadNamespace is the namespace followed, in the nomad CLI's order: the
// flag, else NOMAD_NAMESPACE (read by nomadapi.DefaultConfig into env),
// else "default". "*" follows every namespace.
func nomadNamespace(flag, env string) string {
	switch {
	case flag != "":
		return flag
	case env != "":
		return env
	}
	return "default"
}

// onThisMachine reports whether addr is a loopback address (an agent on
// the bastion itself, the usual CONSUL_HTTP_ADDR). Go asks for gzip by
// default and both agents compress every answer then: on loopback that
// only costs CPU at both ends, and Nomad's share was most of its work for
// a TUI's start (2.5× the server CPU per list; issue 17). Answers crossing
// a network between sites stay compressed.
func onThisMachine(addr string) bool {
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.IsLoopback()
}

// uncompressedNomadClient is the HTTP client nomad/api would build
// (defaultClient in its api.go: pooled, TLS 1.2 at least), asking for
// answers uncompressed: nomad/api adds "Accept-Encoding: gzip" to every
// request itself, so the transport drops it. nomad/api needs a bare
// *http.Transport for exec's websocket and a node's client: this client
// only reads the lists and the event stream (Watcher.lists).
func uncompressedNomadClient(tc *nomadapi.TLSConfig) (*http.Client, error) {
	hc := cleanhttp.DefaultPooledClient()
	t := hc.Transport.(*http.Transport)
	t.TLSHandshakeTimeout = 10 * time.Second
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	t.ForceAttemptHTTP2 = false
	t.DisableCompression = true
	if err := nomadapi.ConfigureTLS(hc, tc); err != nil {
		return nil, err
	}
	hc.Transport = identityEncoding{t}
	return hc, nil
}

// identityEncoding sends a request without its Accept-Encoding.
type identityEncoding struct{ base http.RoundTripper }

func (t identityEncoding) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Accept-Encoding") == "" {
		return t.base.RoundTrip(r)
	}
	r = r.Clone(r.Context()) // a RoundTripper must not change the caller's request
	r.Header.Del("Accept-Encoding")
	return t.base.RoundTrip(r)
}

// checkURL rejects addresses the clients would only fail on at the first
// request (typos in a flag), so New can report them at once.
func checkURL(backend, addr string) error {
	u, err := url.Parse(addr)
	if err != nil {
		return fmt.Errorf("sources: %s address %q: %v", backend, addr, err)
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return fmt.Errorf("sources: %s address %q: no host", backend, addr)
		}
	case "unix":
		if u.Path == "" && u.Host == "" {
			return fmt.Errorf("sources: %s address %q: no socket path", backend, addr)
		}
	default:
		return fmt.Errorf("sources: %s address %q: scheme must be http or https", backend, addr)
	}
	return nil
}

// displayAddr drops any user:password part so an address is safe to show.
func displayAddr(addr string) string {
	u, err := url.Parse(addr)
	if err != nil || u.User == nil {
		return addr
	}
	u.User = nil
	return u.String()
}
