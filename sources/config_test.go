package sources

import "testing"

// The namespace followed: the flag, else NOMAD_NAMESPACE, else "default",
// as the nomad CLI; "*" is kept as asked (every namespace).
func TestNamespaceOrder(t *testing.T) {
	for _, c := range []struct{ flag, env, want string }{
		{"", "", "default"},
		{"", "ops", "ops"},
		{"web", "ops", "web"},
		{"*", "ops", "*"},
		{"", "*", "*"},
	} {
		t.Run(c.flag+"|"+c.env, func(t *testing.T) {
			t.Setenv("NOMAD_NAMESPACE", c.env)
			w, err := New(Config{NomadAddr: "http://127.0.0.1:1", ConsulAddr: "127.0.0.1:1", NomadNamespace: c.flag})
			if err != nil {
				t.Fatal(err)
			}
			if got := w.Namespace(); got != c.want {
				t.Errorf("flag %q, NOMAD_NAMESPACE %q: namespace %q, want %q", c.flag, c.env, got, c.want)
			}
		})
	}
}
