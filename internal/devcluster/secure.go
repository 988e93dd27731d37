package devcluster

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"

	"codeberg.org/entretien/entretien/deploy/policies"
)

// A secure cluster (Options.Secure) runs as a real collective's does: TLS
// on every HTTP API and RPC (a CA and certificates generated at Start for
// 127.0.0.1), ACLs enabled with default deny on both Nomad and Consul and
// bootstrapped with a management token, and the policies of deploy/policies
// applied, each with a token. Nomad asks HTTPS clients for a certificate
// (verify_https_client), so a member needs NOMAD_CLIENT_CERT/KEY; Consul's
// HTTPS takes any client with the CA (CONSUL_CACERT, CONSUL_HTTP_SSL).

// Token is one role's ACL secrets, one per backend.
type Token struct{ Nomad, Consul string }

// Tokens are the secure cluster's tokens, by role.
type Tokens struct {
	Management Token // the bootstrap tokens
	Read       Token // deploy/policies/{nomad,consul}-read.hcl
	Operator   Token // deploy/policies/{nomad,consul}-operator.hcl
}

// TLSFiles are the PEM files a member points the clients at: the CA, and a
// client certificate signed by it (Nomad requires one on HTTPS).
type TLSFiles struct{ CACert, ClientCert, ClientKey string }

// Policy names as created in the cluster.
const (
	PolicyRead     = "entretien-read"
	PolicyOperator = "entretien-operator"
)

// security is what a secure cluster's configs and clients need.
type security struct {
	dir        string
	ca         string // CA certificate
	cert, key  string // the agents' certificate (server and client names)
	cli, cliK  string // a member's client certificate
	tokens     Tokens
	nomadAgent string // Consul token the Nomad agents register services with

	caCert  *x509.Certificate // kept to sign a second datacenter's server
	caKey   *ecdsa.PrivateKey
	primary string // a second datacenter's ACL primary ("dc1"); "" in dc1
}

// Secure says whether the cluster runs with ACLs and TLS.
func (c *Cluster) Secure() bool { return c.sec != nil }

// Tokens are the secure cluster's tokens (zero on a plain cluster).
func (c *Cluster) Tokens() Tokens {
	if c.sec == nil {
		return Tokens{}
	}
	return c.sec.tokens
}

// TLS is the CA and member certificate files (zero on a plain cluster).
func (c *Cluster) TLS() TLSFiles {
	if c.sec == nil {
		return TLSFiles{}
	}
	return TLSFiles{CACert: c.sec.ca, ClientCert: c.sec.cli, ClientKey: c.sec.cliK}
}

// Env is what a member sets to use this cluster with tok, as NOMAD_* and
// CONSUL_* variables (the official clients' names): addresses always, and
// on a secure cluster the tokens, CA and client certificate, and
// CONSUL_HTTP_SSL=true (CONSUL_HTTP_ADDR stays host:port, as is usual).
func (c *Cluster) Env(tok Token) map[string]string {
	env := map[string]string{"NOMAD_ADDR": c.NomadAddr(), "CONSUL_HTTP_ADDR": c.ConsulAddr()}
	if tok.Nomad != "" {
		env["NOMAD_TOKEN"] = tok.Nomad
	}
	if tok.Consul != "" {
		env["CONSUL_HTTP_TOKEN"] = tok.Consul
	}
	if s := c.sec; s != nil {
		env["NOMAD_CACERT"] = s.ca
		env["NOMAD_CLIENT_CERT"] = s.cli
		env["NOMAD_CLIENT_KEY"] = s.cliK
		env["CONSUL_CACERT"] = s.ca
		env["CONSUL_HTTP_SSL"] = "true"
	}
	return env
}

// newSecurity writes the CA and certificates under dir/tls and draws the
// management tokens (both agents take a chosen bootstrap secret, so the
// configs can carry it before the agents start).
func newSecurity(dataDir string) (*security, error) {
	dir := filepath.Join(dataDir, "tls")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	s := &security{dir: dir, ca: filepath.Join(dir, "ca.pem"),
		cert: filepath.Join(dir, "agent.pem"), key: filepath.Join(dir, "agent-key.pem"),
		cli: filepath.Join(dir, "cli.pem"), cliK: filepath.Join(dir, "cli-key.pem")}
	if err := s.writeCerts(); err != nil {
		return nil, fmt.Errorf("devcluster: generating certificates: %w", err)
	}
	for _, p := range []*string{&s.tokens.Management.Nomad, &s.tokens.Management.Consul, &s.nomadAgent} {
		*p = newUUID()
	}
	return s, nil
}

// newUUID draws a random (v4) UUID: both agents want secrets in that form.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (s *security) writeCerts() error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "entretien devcluster CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	if ca, err = x509.ParseCertificate(caDER); err != nil {
		return err
	}
	if err := writePEM(s.ca, "CERTIFICATE", caDER, 0o644); err != nil {
		return err
	}
	s.caCert, s.caKey = ca, caKey
	// One certificate for every agent: Nomad checks server.<region>.nomad
	// and client.<region>.nomad (verify_server_hostname), Consul
	// server.<dc>.consul; the HTTP clients check 127.0.0.1.
	agentNames := []string{"server.global.nomad", "client.global.nomad", "server.dc1.consul", "localhost"}
	if err := issue(ca, caKey, 2, "server.global.nomad", agentNames, s.cert, s.key); err != nil {
		return err
	}
	return issue(ca, caKey, 3, "entretien member", nil, s.cli, s.cliK)
}

// forDC is the security of a second Consul datacenter's server: its own
// certificate (server.<dc>.consul), dc1 as its ACL primary, which resolves
// the (global) tokens for it.
func (s *security) forDC(name string) (*security, error) {
	d := *s
	d.cert, d.key = filepath.Join(s.dir, "agent-"+name+".pem"), filepath.Join(s.dir, "agent-"+name+"-key.pem")
	d.primary = "dc1"
	names := []string{"server." + name + ".consul", "localhost"}
	if err := issue(s.caCert, s.caKey, 10, "server."+name+".consul", names, d.cert, d.key); err != nil {
		return nil, fmt.Errorf("devcluster: certificate for %s: %w", name, err)
	}
	return &d, nil
}

func issue(ca *x509.Certificate, caKey *ecdsa.PrivateKey, serial int64, cn string, names []string, certPath, keyPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    ca.NotBefore,
		NotAfter:     ca.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:     names,
	}
	if names != nil {
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return err
	}
	return writePEM(keyPath, "EC PRIVATE KEY", kder, 0o600)
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}

// clientTLS is the devcluster's own clients' TLS: the CA, and the member
// certificate (Nomad wants one).
func (s *security) clientTLS() (*tls.Config, error) {
	pem, err := os.ReadFile(s.ca)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("devcluster: bad CA file")
	}
	cert, err := tls.LoadX509KeyPair(s.cli, s.cliK)
	if err != nil {
		return nil, err
	}
	return &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// nomadAgentConsulPolicy lets the Nomad agents register themselves and the
// jobs' services with Consul (Nomad's documented agent policy, minus
// Connect's acl = "write").
const nomadAgentConsulPolicy = `agent_prefix "" {
  policy = "read"
}
node_prefix "" {
  policy = "read"
}
service_prefix "" {
  policy = "write"
}
`

// bootstrapConsul creates the Nomad agents' token (with the secret their
// configs already carry) and the members' policies and tokens. Run once
// the Consul leader is up, before the Nomad agents start.
func (c *Cluster) bootstrapConsul(ctx context.Context) error {
	s := c.sec
	acl := c.consulc.ACL()
	w := (&consulapi.WriteOptions{}).WithContext(ctx)
	var err error
	// The initial management token exists as soon as the leader has
	// established itself, a moment after it is elected.
	err = c.waitFor(ctx, "consul ACL bootstrap", []*agent{c.consul}, func() (bool, string) {
		_, _, err := acl.TokenReadSelf((&consulapi.QueryOptions{}).WithContext(ctx))
		return err == nil, errString(err)
	})
	if err != nil {
		return err
	}
	mk := func(name, rules string) (string, error) {
		p, _, err := acl.PolicyCreate(&consulapi.ACLPolicy{Name: name, Rules: rules}, w)
		if err != nil {
			return "", fmt.Errorf("devcluster: consul policy %s: %w", name, err)
		}
		return p.ID, nil
	}
	agentPol, err := mk("nomad-agent", nomadAgentConsulPolicy)
	if err != nil {
		return err
	}
	if _, _, err := acl.TokenCreate(&consulapi.ACLToken{SecretID: s.nomadAgent, Description: "nomad agents",
		Policies: []*consulapi.ACLTokenPolicyLink{{ID: agentPol}}}, w); err != nil {
		return fmt.Errorf("devcluster: consul token for nomad: %w", err)
	}
	for _, r := range []struct {
		name, rules string
		tok         *string
	}{
		{PolicyRead, policies.ConsulRead, &s.tokens.Read.Consul},
		{PolicyOperator, policies.ConsulOperator, &s.tokens.Operator.Consul},
	} {
		if *r.tok, err = c.CreateConsulToken(ctx, r.name, r.rules); err != nil {
			return err
		}
	}
	return nil
}

// CreateConsulToken creates a Consul policy named name with rules and a
// token holding it, and returns the token's secret.
func (c *Cluster) CreateConsulToken(ctx context.Context, name, rules string) (string, error) {
	acl := c.consulc.ACL()
	w := (&consulapi.WriteOptions{}).WithContext(ctx)
	p, _, err := acl.PolicyCreate(&consulapi.ACLPolicy{Name: name, Rules: rules}, w)
	if err != nil {
		return "", fmt.Errorf("devcluster: consul policy %s: %w", name, err)
	}
	t, _, err := acl.TokenCreate(&consulapi.ACLToken{Description: name, Policies: []*consulapi.ACLTokenPolicyLink{{ID: p.ID}}}, w)
	if err != nil {
		return "", fmt.Errorf("devcluster: consul token %s: %w", name, err)
	}
	return t.SecretID, nil
}

// bootstrapNomad bootstraps Nomad's ACLs with the chosen management secret
// and creates the members' policies and tokens. Run once the leader is up.
func (c *Cluster) bootstrapNomad(ctx context.Context) error {
	s := c.sec
	w := (&nomadapi.WriteOptions{}).WithContext(ctx)
	err := c.waitFor(ctx, "nomad ACL bootstrap", []*agent{c.server}, func() (bool, string) {
		_, _, err := c.nomad.ACLTokens().BootstrapOpts(s.tokens.Management.Nomad, w)
		// A retry after a bootstrap whose answer was lost.
		if err != nil && strings.Contains(err.Error(), "already done") {
			return true, ""
		}
		return err == nil, errString(err)
	})
	if err != nil {
		return err
	}
	for _, r := range []struct {
		name, rules string
		tok         *string
	}{
		{PolicyRead, policies.NomadRead, &s.tokens.Read.Nomad},
		{PolicyOperator, policies.NomadOperator, &s.tokens.Operator.Nomad},
	} {
		if *r.tok, err = c.CreateNomadToken(ctx, r.name, r.rules); err != nil {
			return err
		}
	}
	return nil
}

// CreateNomadToken creates a Nomad policy named name with rules and a client
// token holding it, and returns the token's secret.
func (c *Cluster) CreateNomadToken(ctx context.Context, name, rules string) (string, error) {
	w := (&nomadapi.WriteOptions{}).WithContext(ctx)
	if _, err := c.nomad.ACLPolicies().Upsert(&nomadapi.ACLPolicy{Name: name, Rules: rules}, w); err != nil {
		return "", fmt.Errorf("devcluster: nomad policy %s: %w", name, err)
	}
	t, _, err := c.nomad.ACLTokens().Create(&nomadapi.ACLToken{Name: name, Type: "client", Policies: []string{name}}, w)
	if err != nil {
		return "", fmt.Errorf("devcluster: nomad token %s: %w", name, err)
	}
	return t.SecretID, nil
}

// Config blocks of a secure cluster. Each is empty on a plain one, so the
// plain configs stay exactly as they were.

func (s *security) consulTLS() string {
	if s == nil {
		return ""
	}
	return fmt.Sprintf(`tls {
  defaults {
    ca_file         = %q
    cert_file       = %q
    key_file        = %q
    verify_outgoing = true
  }
  internal_rpc {
    verify_incoming        = true
    verify_server_hostname = true
  }
}
`, s.ca, s.cert, s.key)
}

// consulACL: every agent uses the management token as its own (a real
// collective would give each a node identity; here it is beside the point).
func (s *security) consulACL(server bool) string {
	if s == nil {
		return ""
	}
	initial := ""
	if server && s.primary == "" {
		initial = fmt.Sprintf("    initial_management = %q\n", s.tokens.Management.Consul)
	}
	primary := ""
	if s.primary != "" {
		primary = fmt.Sprintf("primary_datacenter = %q\n", s.primary)
	}
	return primary + fmt.Sprintf(`acl {
  enabled        = true
  default_policy = "deny"
  down_policy    = "extend-cache"
  tokens {
%s    agent = %q
  }
}
`, initial, s.tokens.Management.Consul)
}

// consulPorts: with TLS the HTTP port serves HTTPS (same number, so the
// addresses stay as in a plain cluster), plain HTTP off.
func (s *security) consulHTTPPorts(port int) string {
	if s == nil {
		return fmt.Sprintf("  http     = %d\n", port)
	}
	return fmt.Sprintf("  http     = -1\n  https    = %d\n", port)
}

// plainHTTPS is the "https = -1" line a plain agent has.
func (s *security) plainHTTPS() string {
	if s == nil {
		return "  https    = -1\n"
	}
	return ""
}

func (s *security) nomadConsul(consulHTTP int) string {
	if s == nil {
		return fmt.Sprintf(`consul {
  address = "127.0.0.1:%d"
}
`, consulHTTP)
	}
	return fmt.Sprintf(`consul {
  address    = "127.0.0.1:%d"
  ssl        = true
  verify_ssl = true
  ca_file    = %q
  cert_file  = %q
  key_file   = %q
  token      = %q
}
`, consulHTTP, s.ca, s.cert, s.key, s.nomadAgent)
}

func (s *security) nomadTLSACL() string {
	if s == nil {
		return ""
	}
	return fmt.Sprintf(`tls {
  http                   = true
  rpc                    = true
  ca_file                = %q
  cert_file              = %q
  key_file               = %q
  verify_server_hostname = true
  verify_https_client    = true
}
acl {
  enabled = true
}
`, s.ca, s.cert, s.key)
}
