package sources

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// Config overrides the api clients' defaults. Empty fields keep what
// nomadapi.DefaultConfig / consulapi.DefaultConfig read from the
// environment (NOMAD_ADDR, NOMAD_TOKEN, NOMAD_CACERT, NOMAD_REGION,
// NOMAD_NAMESPACE, CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, CONSUL_CACERT...).
type Config struct {
	NomadAddr, NomadToken, NomadRegion, NomadNamespace string
	ConsulAddr, ConsulToken                            string
	// SiteKey groups nodes into sites: "" or "datacenter" by datacenter,
	// "meta.<key>" by that node meta key.
	SiteKey string
	// HostKey is the node meta key naming the member who hosts the
	// machine; default "hosted_by".
	HostKey string
}

// Timing of the follow loops. Fields of Watcher so tests can shrink them.
const (
	defaultWaitTime   = 5 * time.Minute
	defaultMinSpacing = 250 * time.Millisecond
	defaultBackoffMin = 250 * time.Millisecond
	defaultBackoffMax = 30 * time.Second
	// requestSlack is added to the blocking wait (plus the wait/16 jitter
	// the servers add) before a request counts as hung.
	defaultRequestSlack = 15 * time.Second
	// refreshAfter: a blocking query that times out without change only
	// republishes when the published Updated is older than this, so an
	// idle cluster costs one build per resource per WaitTime.
	defaultRefreshAfter = time.Minute
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
	if cfg.NomadNamespace != "" {
		nc.Namespace = cfg.NomadNamespace
	}
	if err := checkURL("nomad", nc.Address); err != nil {
		return nil, err
	}
	nomad, err := nomadapi.NewClient(nc)
	if err != nil {
		return nil, fmt.Errorf("sources: nomad client: %w", err)
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
	consul, err := consulapi.NewClient(cc)
	if err != nil {
		return nil, fmt.Errorf("sources: consul client: %w", err)
	}

	w := &Watcher{
		nomad: nomad, consul: consul,
		nomadAddr: displayAddr(nc.Address), consulAddr: displayAddr(consulAddr),
		nomadToken: nc.SecretID, consulToken: cc.Token,
		region:  nc.Region,
		group:   grouping{SiteKey: cfg.SiteKey, HostKey: cfg.HostKey},
		updates: make(chan struct{}, 1),
		dirty:   make(chan struct{}, 1),

		waitTime: defaultWaitTime, minSpacing: defaultMinSpacing,
		backoffMin: defaultBackoffMin, backoffMax: defaultBackoffMax,
		requestSlack: defaultRequestSlack, refreshAfter: defaultRefreshAfter,
	}
	w.raw.NomadAddr, w.raw.ConsulAddr = w.nomadAddr, w.consulAddr
	w.raw.Region = w.region
	w.snap.Store(buildSnapshot(w.raw, w.group, time.Time{}))
	return w, nil
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
