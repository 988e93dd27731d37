// Package layers checks, with `go list`, the import rules the README states:
// cmd → tui → views → (sources, oncall), and no test tooling in the binary.
package layers

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const mod = "codeberg.org/entretien/entretien"

type pkg struct {
	ImportPath string
	Imports    []string // direct
	Deps       []string // transitive
}

func list(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages: wrong folder?", len(pkgs))
	}
	return pkgs
}

func under(path, prefix string) bool {
	return path == mod+"/"+prefix || strings.HasPrefix(path, mod+"/"+prefix+"/")
}

func TestLayers(t *testing.T) {
	// Run from the module root so ./... is the whole module.
	t.Chdir("../..")
	rules := []struct {
		from, why string
		bad       func(imp string) bool
		direct    bool
	}{
		{"views", "views never import the root", func(i string) bool { return under(i, "tui") || under(i, "cmd") }, false},
		{"sources", "sources has no UI", uiOrAbove, false},
		{"oncall", "oncall has no UI", uiOrAbove, false},
		{"internal/sanitize", "sanitize has no UI", uiOrAbove, false},
		{"cmd", "cmd reaches screens only through tui", func(i string) bool { return under(i, "views") }, true},
	}
	checked := map[string]bool{}
	for _, p := range list(t) {
		for _, r := range rules {
			if !under(p.ImportPath, r.from) {
				continue
			}
			checked[r.from] = true
			imps := p.Deps
			if r.direct {
				imps = p.Imports
			}
			for _, i := range imps {
				if r.bad(i) {
					t.Errorf("%s imports %s: %s", p.ImportPath, i, r.why)
				}
			}
		}
		if p.ImportPath == mod+"/cmd/entretien" {
			for _, d := range p.Deps {
				if d == "testing" || (strings.HasPrefix(d, mod) && strings.HasSuffix(d, "test")) {
					t.Errorf("the binary links %s: test tooling belongs in _test files or test-only packages", d)
				}
			}
		}
	}
	for _, r := range rules {
		if !checked[r.from] {
			t.Errorf("no package under %s: the rule checks nothing", r.from)
		}
	}
}

func uiOrAbove(i string) bool {
	return under(i, "views") || under(i, "tui") || under(i, "cmd") || strings.HasPrefix(i, "charm.land/")
}
