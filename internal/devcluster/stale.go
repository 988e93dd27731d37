package devcluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A test binary killed hard (SIGKILL, `go test -timeout` panic) never runs
// Stop: Pdeathsig takes the agents down, but Nomad tasks (executor, logmon,
// the task) outlive them and the data dir stays with its tmpfs mounts. Each
// temp data dir therefore records its owner, and Start sweeps the dirs whose
// owner is gone.

const (
	tempDirPrefix = "entretien-devcluster-"
	ownerFile     = "owner"
)

func writeOwner(dir string) error {
	st, ok := readStat(os.Getpid())
	if !ok {
		return fmt.Errorf("devcluster: cannot read own /proc stat")
	}
	return os.WriteFile(filepath.Join(dir, ownerFile), fmt.Appendf(nil, "%d %d\n", os.Getpid(), st.start), 0o644)
}

func readOwner(dir string) (procID, bool) {
	b, err := os.ReadFile(filepath.Join(dir, ownerFile))
	if err != nil {
		return procID{}, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return procID{}, false
	}
	pid, err1 := strconv.Atoi(f[0])
	start, err2 := strconv.ParseUint(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return procID{}, false
	}
	return procID{pid, start}, true
}

// sweepStale cleans temp data dirs left by dead owners: kills what still
// references them, unmounts, removes. Dirs without an owner file (being
// created right now, or not ours) are left alone.
func (c *Cluster) sweepStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempDirPrefix+"*"))
	for _, d := range dirs {
		st, err := os.Lstat(d)
		if err != nil || !st.IsDir() || d == c.dataDir {
			continue
		}
		owner, ok := readOwner(d)
		if !ok || owner.alive() {
			continue
		}
		if real, err := filepath.EvalSymlinks(d); err == nil {
			d = real
		}
		left := killAll(procsReferencing(d))
		if len(left) > 0 {
			continue
		}
		if err := unmountUnder(d); err != nil {
			c.logf("devcluster: stale %s: %v", d, err)
			continue
		}
		if err := os.RemoveAll(d); err != nil {
			c.logf("devcluster: stale %s: %v", d, err)
			continue
		}
		c.logf("devcluster: removed stale data dir %s (owner pid %d gone)", d, owner.pid)
	}
}
