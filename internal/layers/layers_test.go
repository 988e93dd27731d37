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
		exact     bool // from is one package, not a tree
	}{
		{"views", "views never import the root", func(i string) bool { return under(i, "tui") || under(i, "cmd") }, false, false},
		{"sources", "sources has no UI", uiOrAbove, false, false},
		{"oncall", "oncall has no UI", uiOrAbove, false, false},
		{"internal/sanitize", "sanitize has no UI", uiOrAbove, false, false},
		{"cmd", "cmd reaches screens only through tui", func(i string) bool { return under(i, "views") }, true, false},
		{"oncall", "oncall holds the contract and the rules, no backend and no driver", backend, false, true},
		{"oncall/sqlstore", "the one SQL implementation is portable: no driver", driver, false, false},
		{"views", "only cmd, tests and internal tooling open a backend", backend, false, false},
		{"tui", "only cmd, tests and internal tooling open a backend", backend, false, false},
	}
	checked := map[string]bool{}
	for _, p := range list(t) {
		for _, r := range rules {
			if !under(p.ImportPath, r.from) || (r.exact && p.ImportPath != mod+"/"+r.from) {
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

// driver is a SQL driver's package.
func driver(i string) bool {
	return strings.HasPrefix(i, "github.com/mattn/go-sqlite3") || strings.HasPrefix(i, "github.com/jackc/") ||
		strings.HasPrefix(i, "github.com/lib/pq")
}

// backend is a store backend (or the SQL behind them), or a driver.
func backend(i string) bool {
	return under(i, "oncall/sqlite") || under(i, "oncall/postgres") || under(i, "oncall/sqlstore") || driver(i)
}
