package pgcluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// A test binary killed hard never runs Stop: Pdeathsig ends Patroni and
// Consul, but a postmaster Patroni started outlives it. Each run's folder
// names its owner, and Start sweeps the folders whose owner is gone.

const tempPrefix = "entretien-pgcluster-"

func startTime(pid int) (string, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return "", false
	}
	return f[19], true // field 22, starttime
}

func writeOwner(dir string) error {
	st, ok := startTime(os.Getpid())
	if !ok {
		return fmt.Errorf("pgcluster: cannot read own /proc stat")
	}
	return os.WriteFile(filepath.Join(dir, "owner"), fmt.Appendf(nil, "%d %s\n", os.Getpid(), st), 0o644)
}

func ownerAlive(dir string) (alive, known bool) {
	b, err := os.ReadFile(filepath.Join(dir, "owner"))
	if err != nil {
		return false, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return false, false
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil {
		return false, false
	}
	st, ok := startTime(pid)
	return ok && st == f[1], true
}

func sweepStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, d := range dirs {
		alive, known := ownerAlive(d)
		if !known || alive {
			continue
		}
		datas, _ := filepath.Glob(filepath.Join(d, "*", "data"))
		for _, data := range datas {
			killPostgres(data, syscall.SIGKILL)
		}
		os.RemoveAll(d)
	}
}
