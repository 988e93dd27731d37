package sources

import (
	"testing"

	consulapi "github.com/hashicorp/consul/api"
)

func kv(key, value string) *consulapi.KVPair {
	return &consulapi.KVPair{Key: key, Value: []byte(value)}
}

// Keys as Patroni 3.0 writes them in Consul (read from a real one by
// TestIntegrationStoreFollowsPatroni).
func TestParsePatroni(t *testing.T) {
	seen := map[string]StoreMember{}
	kvs := consulapi.KVPairs{
		kv("service/entretien/config", `{"ttl":20}`),
		kv("service/entretien/leader", "paris"),
		kv("service/entretien/optime/leader", "67109048"),
		kv("service/entretien/sync", `{"leader":"paris","sync_standby":"lyon"}`),
		kv("service/entretien/members/paris", `{"conn_url":"postgres://127.0.0.1:15432/postgres","state":"running","role":"master","timeline":2,"xlog_location":67109048}`),
		kv("service/entretien/members/lyon", `{"conn_url":"postgres://127.0.0.1:15433/postgres","state":"streaming","role":"replica","timeline":2,"xlog_location":67108000}`),
		kv("service/entretien/members/bruxelles", `{"conn_url":"postgres://127.0.0.1:15434/postgres","state":"running","role":"replica","timeline":2}`),
	}
	c := parsePatroni("entretien", kvs, seen)
	c.Health.Updated = c.Health.Updated.AddDate(2026, 0, 0)
	want := map[string]StoreMember{
		"paris":     {Name: "paris", Role: RolePrimary, State: "running", Host: "127.0.0.1:15432", Timeline: 2, LagBytes: 0},
		"lyon":      {Name: "lyon", Role: RoleSyncStandby, State: "streaming", Host: "127.0.0.1:15433", Timeline: 2, LagBytes: 1048},
		"bruxelles": {Name: "bruxelles", Role: RoleStandby, State: "running", Host: "127.0.0.1:15434", Timeline: 2, LagBytes: -1},
	}
	if len(c.Members) != 3 || c.Leader != "paris" || !c.Synchronous {
		t.Fatalf("cluster %+v", c)
	}
	for _, m := range c.Members {
		if m != want[m.Name] {
			t.Errorf("member %+v, want %+v", m, want[m.Name])
		}
	}
	if st, d := c.Status(); st != SiteUp || d != "primary paris" {
		t.Errorf("status %q %q", st, d)
	}

	// paris goes dark: its member and leader keys expire; lyon has not
	// been promoted yet.
	c = parsePatroni("entretien", consulapi.KVPairs{kvs[5], kvs[6]}, seen)
	c.Health.Updated = c.Health.Updated.AddDate(2026, 0, 0)
	if st, d := c.Status(); st != SiteDown || d != "no primary: writes wait" {
		t.Errorf("without a leader: %q %q", st, d)
	}
	if m, ok := c.Member("paris"); !ok || m.State != "gone" || m.Role != RoleStandby {
		t.Errorf("paris after its key expired: %+v %v", m, ok)
	}
	o, ok := storeOutage(c)
	if !ok || o.Kind != "store" || o.Status != SiteDown || o.Site != "paris" {
		t.Errorf("outage %+v %v", o, ok)
	}

	// lyon promoted, paris still gone: degraded, on paris's site.
	c = parsePatroni("entretien", consulapi.KVPairs{
		kv("service/entretien/leader", "lyon"),
		kv("service/entretien/sync", `{"leader":"lyon","sync_standby":null}`),
		kv("service/entretien/members/lyon", `{"conn_url":"postgres://127.0.0.1:15433/postgres","state":"running","role":"master","timeline":3}`),
	}, map[string]StoreMember{"paris": want["paris"]})
	c.Health.Updated = c.Health.Updated.AddDate(2026, 0, 0)
	st, d := c.Status()
	if st != SiteDegraded || d != "primary lyon; paris gone" {
		t.Errorf("after failover: %q %q", st, d)
	}
	if o, ok := storeOutage(c); !ok || o.Site != "paris" || o.Status != SiteDegraded {
		t.Errorf("outage after failover %+v", o)
	}
	// Not followed: no state, no outage.
	if st, _ := (StoreCluster{}).Status(); st != "" {
		t.Errorf("unfollowed status %q", st)
	}
}
