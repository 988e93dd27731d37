package sources

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
)

// The collective's database is infrastructure too: with a bastion per site,
// Patroni keeps one PostgreSQL primary and publishes its members in Consul
// under service/<scope>/. entretien only reads those keys (one more
// blocking query, nothing when quiet); it never elects anything.

// StoreCluster is the replicated database as Patroni last published it.
// Scope is empty when it is not followed (Config.PatroniScope unset).
type StoreCluster struct {
	Scope  string
	Leader string // the member holding the leader key; "" when none
	// Members, by name. Patroni names a member after its site (the
	// recipe's convention), so Name is looked up among the sites. A member
	// seen earlier whose key expired (its site went dark) stays, with
	// State "gone", for as long as this watcher runs.
	Members []StoreMember
	// Synchronous: Patroni runs synchronous_mode (its sync key exists).
	Synchronous bool
	Health      Health
}

// StoreMember is one site's PostgreSQL.
type StoreMember struct {
	Name     string
	Role     string // RolePrimary, RoleSyncStandby, RoleStandby
	State    string // Patroni's: running, streaming, starting, stopped…; "gone" once its key expired
	Host     string // host:port from its connection URL
	Timeline int
	// LagBytes is how far its WAL is behind the leader's; -1 when unknown.
	LagBytes int64
}

const (
	RolePrimary     = "primary"
	RoleSyncStandby = "sync standby"
	RoleStandby     = "standby"
	storeGone       = "gone"
)

// Up reports whether the member answers as a running database.
func (m StoreMember) Up() bool { return m.State == "running" || m.State == "streaming" }

// Member returns the member named name.
func (c StoreCluster) Member(name string) (StoreMember, bool) {
	for _, m := range c.Members {
		if m.Name == name {
			return m, true
		}
	}
	return StoreMember{}, false
}

// Status sums the store up: SiteDown without a primary (nothing can be
// written), SiteDegraded when a member that was there is gone or down, or
// when synchronous mode has no sync standby (commits wait or run alone),
// SiteUp otherwise; "" when not followed or never read.
func (c StoreCluster) Status() (status, detail string) {
	if c.Scope == "" || c.Health.Updated.IsZero() {
		return "", ""
	}
	primary, ok := c.Member(c.Leader)
	if c.Leader == "" || !ok || !primary.Up() {
		return SiteDown, "no primary: writes wait"
	}
	var down []string
	sync := false
	for _, m := range c.Members {
		if !m.Up() {
			down = append(down, m.Name+" "+m.State)
		}
		if m.Role == RoleSyncStandby && m.Up() {
			sync = true
		}
	}
	switch {
	case len(down) > 0:
		return SiteDegraded, "primary " + c.Leader + "; " + strings.Join(down, ", ")
	case c.Synchronous && !sync:
		return SiteDegraded, "primary " + c.Leader + "; no sync standby"
	}
	return SiteUp, "primary " + c.Leader
}

// patroniMember is the JSON Patroni keeps in service/<scope>/members/<name>.
type patroniMember struct {
	ConnURL  string `json:"conn_url"`
	State    string `json:"state"`
	Role     string `json:"role"`
	Timeline int    `json:"timeline"`
	XLog     *int64 `json:"xlog_location"`
}

// parsePatroni reads the keys of one scope; seen carries the members met
// before, so one whose key expired stays, marked gone.
func parsePatroni(scope string, kvs consulapi.KVPairs, seen map[string]StoreMember) StoreCluster {
	c := StoreCluster{Scope: scope}
	prefix := "service/" + scope + "/"
	var leaderLSN *int64
	var syncStandbys []string
	current := map[string]StoreMember{}
	xlog := map[string]*int64{}
	for _, kv := range kvs {
		if kv == nil {
			continue
		}
		key := strings.TrimPrefix(kv.Key, prefix)
		switch {
		case key == "leader":
			c.Leader = strings.TrimSpace(string(kv.Value))
		case key == "optime/leader":
			if n, err := strconv.ParseInt(strings.TrimSpace(string(kv.Value)), 10, 64); err == nil {
				leaderLSN = &n
			}
		case key == "sync":
			var s struct {
				SyncStandby *string `json:"sync_standby"`
			}
			if json.Unmarshal(kv.Value, &s) == nil {
				c.Synchronous = true
				if s.SyncStandby != nil && *s.SyncStandby != "" {
					syncStandbys = strings.Split(*s.SyncStandby, ",")
				}
			}
		case strings.HasPrefix(key, "members/"):
			name := strings.TrimPrefix(key, "members/")
			var pm patroniMember
			if name == "" || json.Unmarshal(kv.Value, &pm) != nil {
				continue
			}
			m := StoreMember{Name: name, State: pm.State, Timeline: pm.Timeline, LagBytes: -1, Role: RoleStandby}
			if u, err := url.Parse(pm.ConnURL); err == nil {
				m.Host = u.Host
			}
			current[name] = m
			xlog[name] = pm.XLog
		}
	}
	for name, m := range current {
		switch {
		case name == c.Leader:
			m.Role, m.LagBytes = RolePrimary, 0
		case slices.Contains(syncStandbys, name):
			m.Role = RoleSyncStandby
		}
		if m.Role != RolePrimary && leaderLSN != nil && xlog[name] != nil {
			m.LagBytes = max(0, *leaderLSN-*xlog[name])
		}
		seen[name] = m
		c.Members = append(c.Members, m)
	}
	for name, m := range seen {
		if _, ok := current[name]; !ok {
			m.State, m.LagBytes = storeGone, -1
			if m.Role == RolePrimary {
				m.Role = RoleStandby // it holds the leader key no more
			}
			c.Members = append(c.Members, m)
		}
	}
	slices.SortFunc(c.Members, func(a, b StoreMember) int { return strings.Compare(a.Name, b.Name) })
	return c
}

// followPatroni is the blocking-query loop on the scope's keys.
func (w *Watcher) followPatroni(ctx context.Context) {
	prefix := "service/" + w.patroniScope + "/"
	w.follow(ctx, &w.patroniH, func(ctx context.Context, index uint64) (uint64, func(), error) {
		q := (&consulapi.QueryOptions{WaitIndex: index, WaitTime: w.waitTime}).WithContext(ctx)
		kvs, qm, err := w.consul.KV().List(prefix, q)
		if err != nil {
			return 0, nil, err
		}
		return qm.LastIndex, func() { w.patroniKVs = kvs }, nil
	})
}

// storeInputsLocked builds the store's part of the inputs (under w.mu).
func (w *Watcher) storeInputsLocked() StoreCluster {
	if w.patroniScope == "" {
		return StoreCluster{}
	}
	c := parsePatroni(w.patroniScope, w.patroniKVs, w.patroniSeen)
	c.Health = combineHealth(w.patroniH.resHealth)
	c.Health.Addr = w.consulAddr
	return c
}

// storeOutage is the store's line among the outages: its whole state is
// one row (kind "store"), on the primary's site when degraded.
func storeOutage(c StoreCluster) (Outage, bool) {
	status, detail := c.Status()
	if status != SiteDown && status != SiteDegraded {
		return Outage{}, false
	}
	// On the site in trouble: the first member down, if one is.
	site := ""
	for _, m := range c.Members {
		if !m.Up() {
			site = m.Name
			break
		}
	}
	return Outage{Kind: "store", Name: c.Scope, Site: site, Status: status, Detail: fmt.Sprintf("database: %s", detail)}, true
}

// ReadStoreCluster reads Patroni's keys once, for db status and doctor.
func ReadStoreCluster(ctx context.Context, cfg Config) (StoreCluster, error) {
	if cfg.PatroniScope == "" {
		return StoreCluster{}, fmt.Errorf("sources: no Patroni scope to read")
	}
	w, err := New(cfg)
	if err != nil {
		return StoreCluster{}, err
	}
	c := StoreCluster{Scope: cfg.PatroniScope, Health: Health{Addr: w.consulAddr}}
	kvs, _, err := w.consul.KV().List("service/"+cfg.PatroniScope+"/", (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		c.Health.Err = backendError("consul", w.patroniH.resource, w.consulAddr, w.consulToken, err)
		return c, c.Health.Err
	}
	c = parsePatroni(cfg.PatroniScope, kvs, map[string]StoreMember{})
	c.Health = Health{Addr: w.consulAddr, Updated: time.Now()}
	return c, nil
}
