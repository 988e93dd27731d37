// Package devcluster runs a real Nomad + Consul cluster on 127.0.0.1 (one
// consul -dev server, one Nomad server, and per site a Consul client agent
// and a Nomad client using it) for integration tests and the demo. The agents are the pinned MPL-2.0 releases built by
// tools/agents/build.sh (`make agents`).
package devcluster

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// AgentsDir is where tools/agents/build.sh puts the binaries.
func AgentsDir() string {
	if d := os.Getenv("ENTRETIEN_AGENTS_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "entretien", "agents")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	return filepath.Join(home, ".cache", "entretien", "agents")
}

// ErrAgentsMissing marks "binaries not built", which devclustertest.Require
// turns into a skip.
var ErrAgentsMissing = errors.New("agents not built: run `make agents`")

// CheckAgents says whether dir holds both agents (ErrAgentsMissing if not).
func CheckAgents(dir string) error {
	_, _, err := agentBinaries(dir)
	return err
}

// agentBinaries returns the nomad and consul paths in dir, or errAgentsMissing.
func agentBinaries(dir string) (nomad, consul string, err error) {
	nomad, consul = filepath.Join(dir, "nomad"), filepath.Join(dir, "consul")
	for _, p := range []string{nomad, consul} {
		st, err := os.Stat(p)
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return "", "", fmt.Errorf("%w (no executable %s)", ErrAgentsMissing, p)
		}
	}
	return nomad, consul, nil
}
