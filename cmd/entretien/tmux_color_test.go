package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTmuxInfoNotRunAtStart: under tmux, lipgloss's package init used to
// fork `tmux info` (to learn whether tmux passes true colour) before main,
// 5-20 ms of every start. defertmux hides TMUX from it; the TUI asks tmux
// once its first frame is out. A tmux on PATH that logs its arguments and
// runs the real one tells who asked.
func TestTmuxInfoNotRunAtStart(t *testing.T) {
	real, err := exec.LookPath("tmux")
	if err != nil {
		t.Fatal("tmux is needed for the end-to-end tests (apt-get install tmux; .ci/run installs it)")
	}
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	wrapper := "#!/bin/sh\necho \"$*\" >> " + calls + "\nexec " + real + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "tmux"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + dir + ":" + os.Getenv("PATH"), "HOME=" + dir, "XDG_DATA_HOME=" + dir,
		"ENTRETIEN_DB=" + filepath.Join(dir, "e.db"), "NOMAD_ADDR=http://127.0.0.1:1", "CONSUL_HTTP_ADDR=127.0.0.1:1"}
	asked := func() string { b, _ := os.ReadFile(calls); return string(b) }

	// A command: the packages initialise, nothing asks tmux. (In a shell
	// that stays: a pane whose command exits at once can take its server
	// along before remain-on-exit is set.)
	s := &tmuxSession{t: t, name: fmt.Sprintf("entretien-test-%d", time.Now().UnixNano())}
	t.Cleanup(func() { s.tmux("kill-server").Run() })
	script := "env " + strings.Join(env, " ") + " " + bin + " version; echo version-done; sleep 60"
	if out, err := s.tmux("new-session", "-d", "-s", s.name, "-x", "100", "-y", "30", "sh", "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	s.waitFor(10*time.Second, "version-done")
	if a := asked(); strings.Contains(a, "info") {
		t.Fatalf("`entretien version` under tmux ran tmux %q", a)
	}

	// The TUI asks, once its first frame is out.
	s = startTmux(t, 100, 30, env)
	s.waitFor(10*time.Second, "nomad unreachable")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(asked(), "info") {
		if time.Now().After(deadline) {
			t.Fatalf("the TUI never asked tmux for its colours (tmux calls: %q)", asked())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
