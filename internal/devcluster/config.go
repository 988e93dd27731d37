package devcluster

import (
	"fmt"
	"strings"
)

// Agent configs follow /work/shared/notes/dev-agents.md (measured on this
// machine). %q gives Go string literals, which HCL reads the same way.

// consulHCL is a Consul server's (the first datacenter's, or a second's
// with DNS and gRPC off: -1). check_update_interval 0s: see consulClientHCL.
func consulHCL(p consulPorts, sec *security) string {
	return fmt.Sprintf(`disable_update_check = true
log_level = "INFO"
check_update_interval = "0s"
ports {
%s  dns      = %d
  serf_lan = %d
  serf_wan = %d
  server   = %d
  grpc     = %d
  grpc_tls = -1
%s}
`, sec.consulHTTPPorts(p.HTTP), p.DNS, p.SerfLAN, p.SerfWAN, p.Server, p.GRPC, sec.plainHTTPS()) + sec.consulTLS() + sec.consulACL(true)
}

// consulServerNodeID is fixed: -dev draws a new node ID at each start, and
// the site agents would then see a known name with a new ID after a restart.
const (
	consulServerNodeID = "00000000-e27e-4e1e-9000-000000000001"
	consulDC2NodeID    = "00000000-e27e-4e1e-9000-000000000002"
)

// consulArgs: the server lives in site (the Nomad server's, the first),
// as its node meta says.
func consulArgs(configFile, site string) []string {
	return []string{"agent", "-dev", "-node", "consul-dev", "-node-id", consulServerNodeID, "-node-meta", "site:" + site,
		"-bind", "127.0.0.1", "-client", "127.0.0.1", "-config-file", configFile}
}

// consulClientHCL is a site's Consul client agent, as on a real machine:
// each Nomad client registers its services with its own local agent. One
// agent shared by every Nomad client does not work: after a minute each
// client's sync deregisters the services of the others as unknown to it
// (Nomad 1.6 service_client.go, deregisterProbationPeriod).
// check_update_interval 0s: a check whose output changes but not its status
// (a critical check's first "404") reaches the catalog at once, not after
// the default 5 minutes, as with the -dev server running checks itself.
func consulClientHCL(site, dataDir string, p clientPorts, serverSerf int, sec *security) string {
	return fmt.Sprintf(`node_name            = %q
data_dir             = %q
bind_addr            = "127.0.0.1"
client_addr          = "127.0.0.1"
server               = false
disable_update_check = true
log_level            = "INFO"
check_update_interval = "0s"
retry_join           = ["127.0.0.1:%d"]
retry_interval       = "1s"
node_meta {
  site = %q
}
ports {
%s  serf_lan = %d
  serf_wan = -1
  dns      = -1
  grpc     = -1
  grpc_tls = -1
%s}
`, site, dataDir, serverSerf, site, sec.consulHTTPPorts(p.ConsulHTTP), p.ConsulSerf, sec.plainHTTPS()) + sec.consulTLS() + sec.consulACL(false)
}

// nomadCommon is shared by server and clients. The advertise block is
// required: without it a non-dev agent refuses to default to localhost.
func nomadCommon(name, dc, dataDir string, p nomadPorts, consulHTTP int, sec *security) string {
	return fmt.Sprintf(`name                 = %q
datacenter           = %q
data_dir             = %q
bind_addr            = "127.0.0.1"
disable_update_check = true
log_level            = "INFO"
ports {
  http = %d
  rpc  = %d
  serf = %d
}
advertise {
  http = "127.0.0.1"
  rpc  = "127.0.0.1"
  serf = "127.0.0.1"
}
`, name, dc, dataDir, p.HTTP, p.RPC, p.Serf) + sec.nomadConsul(consulHTTP) + sec.nomadTLSACL()
}

// nomadServerHCL: short heartbeat TTLs so that a stopped client is marked
// down in ~4-6 s (TTL = min_heartbeat_ttl + random stagger up to the same,
// plus heartbeat_grace) instead of ~10-20 s. failover_heartbeat_ttl (after a
// leader election, i.e. StartNomadServer) stays above the clients' 15-30 s
// retry interval when they met "no leader", so nodes do not flap down.
func nomadServerHCL(dc, dataDir string, p nomadPorts, consulHTTP int, sec *security) string {
	return nomadCommon("server", dc, dataDir, p, consulHTTP, sec) + `server {
  enabled                = true
  bootstrap_expect       = 1
  heartbeat_grace        = "2s"
  min_heartbeat_ttl      = "2s"
  failover_heartbeat_ttl = "45s"
}
client {
  enabled = false
}
`
}

// nomadClientHCL: network_interface "lo" makes alloc and Consul service
// addresses 127.0.0.1; dynamic port ranges are disjoint because all clients
// share one IP and the scheduler checks ports per node only; the cloud
// fingerprinters are denied (they would probe 169.254.169.254) and only
// raw_exec is probed.
func nomadClientHCL(site, host, dataDir string, p clientPorts, serverRPC int, sec *security) string {
	return nomadCommon(site, site, dataDir, p.nomadPorts, p.ConsulHTTP, sec) + fmt.Sprintf(`server {
  enabled = false
}
client {
  enabled           = true
  servers           = ["127.0.0.1:%d"]
  network_interface = "lo"
  min_dynamic_port  = %d
  max_dynamic_port  = %d
  meta {
    site      = %q
    hosted_by = %q
  }
  options {
    "fingerprint.denylist" = %q
    "driver.allowlist"     = "raw_exec"
  }
}
plugin "raw_exec" {
  config {
    enabled = true
  }
}
`, serverRPC, p.DynMin, p.DynMax, site, host,
		strings.Join([]string{"env_aws", "env_gce", "env_azure", "env_digitalocean"}, ","))
}
