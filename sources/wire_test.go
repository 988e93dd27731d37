package sources

import "testing"

// A node's address: the list stub's, else the full node's fingerprinted
// IP, else its HTTP address's host.
func TestNodeAddress(t *testing.T) {
	withIP := wireNode{HTTPAddr: "10.0.0.9:4646"}
	withIP.Attributes.IP = "192.168.1.20"
	for _, c := range []struct {
		n    wireNode
		want string
	}{
		{wireNode{Address: "192.168.1.10", HTTPAddr: "10.0.0.9:4646"}, "192.168.1.10"},
		{withIP, "192.168.1.20"},
		{wireNode{HTTPAddr: "10.0.0.9:4646"}, "10.0.0.9"},
		{wireNode{HTTPAddr: "[fd00::1]:4646"}, "fd00::1"},
		{wireNode{}, ""},
	} {
		if got := c.n.toNode().Address; got != c.want {
			t.Errorf("address of %+v = %q, want %q", c.n, got, c.want)
		}
	}
}
