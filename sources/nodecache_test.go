package sources

import (
	"os"
	"path/filepath"
	"testing"
)

func TestNodeCacheRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "entretien")
	path := nodeCacheFile(dir, "http://127.0.0.1:4646", "global", "default")
	if other := nodeCacheFile(dir, "http://10.0.0.1:4646", "global", "default"); other == path {
		t.Fatal("two clusters share a cache file")
	}
	if len(loadNodeCache(path)) != 0 {
		t.Fatal("a missing file is not an empty cache")
	}
	in := map[string]*Node{
		"a": {ID: "a", ModifyIndex: 7, Meta: map[string]string{"site": "paris", "hosted_by": "alice"}, Address: "10.0.0.2"},
		"b": {ID: "b", ModifyIndex: 9},
	}
	if err := saveNodeCache(path, in); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode %v, want 0600 (the member's alone)", fi.Mode().Perm())
	}
	out := loadNodeCache(path)
	if len(out) != 2 || out["a"].ModifyIndex != 7 || out["a"].Meta["site"] != "paris" || out["a"].Address != "10.0.0.2" || out["b"].ModifyIndex != 9 {
		t.Errorf("read back %+v %+v", out["a"], out["b"])
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if len(loadNodeCache(path)) != 0 {
		t.Error("a damaged file is not an empty cache")
	}
	if nodeCacheFile("", "x", "", "") != "" {
		t.Error("no folder, yet a file")
	}
}

// TestNewLoadsNodeCache: a watcher starts with the nodes a previous run
// kept, so its first listing asks Nomad for none of them (readNodeMeta
// skips a node whose ModifyIndex matches).
func TestNewLoadsNodeCache(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{NomadAddr: "http://127.0.0.1:4646", NomadRegion: "global", CacheDir: dir}
	w, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := saveNodeCache(w.nodeCache, map[string]*Node{"a": {ID: "a", ModifyIndex: 3, Meta: map[string]string{"site": "lyon"}}}); err != nil {
		t.Fatal(err)
	}
	w2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := w2.nodeMeta["a"]; n == nil || n.Meta["site"] != "lyon" {
		t.Fatalf("new watcher's node meta %+v", w2.nodeMeta)
	}
}
