// Package policies holds the ACL policies the README recommends for members'
// tokens, as HCL files; internal/devcluster applies these very files, so the
// policies documented are the ones the integration tests run with.
package policies

import _ "embed"

// Nomad policies: read-only (every screen) and operator (read-only plus the
// actions taken from the screens).
var (
	//go:embed nomad-read.hcl
	NomadRead string
	//go:embed nomad-operator.hcl
	NomadOperator string
)

// Consul policies, the same two roles.
var (
	//go:embed consul-read.hcl
	ConsulRead string
	//go:embed consul-operator.hcl
	ConsulOperator string
)

// ConsulPatroni is the token Patroni holds on each bastion (a bastion per
// site): its keys under service/entretien/ and its sessions.
//
//go:embed consul-patroni.hcl
var ConsulPatroni string
