package sources

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

func TestOnThisMachine(t *testing.T) {
	for addr, want := range map[string]bool{
		"http://127.0.0.1:4646":      true,
		"https://127.0.0.2:4646":     true,
		"http://localhost:8500":      true,
		"http://[::1]:4646":          true,
		"http://10.0.0.5:4646":       false,
		"https://nomad.paris.lan":    false,
		"unix:///run/nomad.sock":     false,
		"http://127.0.0.1.nip.io:80": false,
	} {
		if got := onThisMachine(addr); got != want {
			t.Errorf("onThisMachine(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestLoopbackAsksUncompressed: the list reader and Consul, aimed at this machine, ask
// for answers without gzip. The server here only records each request's
// Accept-Encoding (what a real agent answers hides the header: the Go
// client removes the encoding it asked for).
func TestLoopbackAsksUncompressed(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path] = r.Header.Get("Accept-Encoding")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Nomad-Index", "1")
		w.Header().Set("X-Consul-Index", "1")
		_, _ = w.Write([]byte("[]"))
	}))
	defer srv.Close()
	w, err := New(Config{NomadAddr: srv.URL, ConsulAddr: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	if _, err := w.lists.Raw().Query("/v1/jobs", &out, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.consul.Catalog().Datacenters(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, path := range []string{"/v1/jobs", "/v1/catalog/datacenters"} {
		enc, ok := seen[path]
		if !ok {
			t.Errorf("%s never asked", path)
		} else if enc != "" {
			t.Errorf("%s asked with Accept-Encoding %q on loopback", path, enc)
		}
	}
}
