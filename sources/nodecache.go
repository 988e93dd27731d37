package sources

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
)

// The node meta cache keeps, between runs, what Nomad 1.6's node list
// lacks: each node's meta (the site, who hosts it) and address, by node ID
// and ModifyIndex. Without it every start asks GET /v1/node/<id> for each
// node after the list, a second round trip before the first frame can
// group anything by site (issue 17). A node whose ModifyIndex moved since
// is asked again, as within a run; meta changes bump it. The file holds
// nothing the member cannot read from Nomad; it is theirs alone (0600 in
// their XDG cache folder).

// cachedNode is one node in the file.
type cachedNode struct {
	ID          string
	ModifyIndex uint64
	Meta        map[string]string `json:",omitempty"`
	Address     string            `json:",omitempty"`
}

// nodeCacheFile names the file for one cluster: the address, region and
// namespace followed (two clusters never share one).
func nodeCacheFile(dir, addr, region, namespace string) string {
	if dir == "" {
		return ""
	}
	h := sha256.Sum256([]byte(addr + "\x00" + region + "\x00" + namespace))
	return filepath.Join(dir, "nodes-"+hex.EncodeToString(h[:8])+".json")
}

// loadNodeCache reads the file; a missing or unreadable one is an empty
// cache (the nodes are asked, as without it).
func loadNodeCache(path string) map[string]*Node {
	m := map[string]*Node{}
	b, err := os.ReadFile(path)
	if err != nil {
		return m
	}
	var nodes []cachedNode
	if json.Unmarshal(b, &nodes) != nil {
		return m
	}
	for _, c := range nodes {
		if c.ID != "" {
			m[c.ID] = &Node{ID: c.ID, ModifyIndex: c.ModifyIndex, Meta: c.Meta, Address: c.Address}
		}
	}
	return m
}

var nodeCacheMu sync.Mutex // one write at a time (a resync may overlap the last)

// saveNodeCache writes nodes to path atomically (a temporary file renamed
// over it), readable by its owner only.
func saveNodeCache(path string, nodes map[string]*Node) error {
	nodeCacheMu.Lock()
	defer nodeCacheMu.Unlock()
	list := make([]cachedNode, 0, len(nodes))
	for _, n := range nodes {
		list = append(list, cachedNode{ID: n.ID, ModifyIndex: n.ModifyIndex, Meta: n.Meta, Address: n.Address})
	}
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".nodes-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after a successful rename, a no-op
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path) // CreateTemp made it 0600
}
