package sources

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	consulapi "github.com/hashicorp/consul/api"
)

func TestBackendErrorMessages(t *testing.T) {
	const secret = "c0ffee00-aaaa-bbbb-cccc-000000000000"
	tests := []struct {
		name   string
		err    error
		want   []string
		status int
		denied bool
	}{
		{"consul acl", consulapi.StatusError{Code: 403, Body: "Permission denied: token with AccessorID 'abc' lacks permission 'service:read'"},
			[]string{"consul: permission denied reading health checks", "lacks a capability", "service:read and node:read", "AccessorID 'abc'"}, 403, true},
		{"token echoed", consulapi.StatusError{Code: 403, Body: "ACL not found: " + secret},
			[]string{"<redacted>"}, 403, true},
		{"server error", consulapi.StatusError{Code: 500, Body: "No cluster leader"},
			[]string{"consul: reading health checks at http://c:8500: HTTP 500: No cluster leader"}, 500, false},
		{"timeout", fmt.Errorf("Get x: %w", context.DeadlineExceeded),
			[]string{"consul: no answer from http://c:8500 in time"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := backendError("consul", "health checks", "http://c:8500", secret, tt.err)
			for _, w := range tt.want {
				if !strings.Contains(e.Error(), w) {
					t.Errorf("%q lacks %q", e.Error(), w)
				}
			}
			if strings.Contains(e.Error(), secret) {
				t.Errorf("token leaked: %q", e.Error())
			}
			if e.Status != tt.status || e.PermissionDenied() != tt.denied {
				t.Errorf("status %d denied %v", e.Status, e.PermissionDenied())
			}
			if !errors.Is(e, tt.err) {
				t.Error("Unwrap lost the cause")
			}
		})
	}
}

func TestNewConfig(t *testing.T) {
	t.Setenv("NOMAD_ADDR", "")
	t.Setenv("CONSUL_HTTP_ADDR", "")
	bad := []Config{
		{NomadAddr: "127.0.0.1:4646"}, // no scheme
		{NomadAddr: "http://"},
		{NomadAddr: "ftp://h:1"},
		{NomadAddr: "http://a b:1/%zz"},
		{ConsulAddr: "gopher://h:1"},
		{SiteKey: "meta."},
		{SiteKey: "rack"},
	}
	for _, c := range bad {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) accepted a bad config", c)
		}
	}
	// Unreachable is fine; tokens and passwords never show in addresses.
	w, err := New(Config{NomadAddr: "https://ops:hunter2@10.255.255.1:4646", NomadToken: "tok", ConsulAddr: "127.0.0.1:1", ConsulToken: "ctok", SiteKey: "meta.site"})
	if err != nil {
		t.Fatal(err)
	}
	if w.NomadAddr() != "https://10.255.255.1:4646" || w.ConsulAddr() != "http://127.0.0.1:1" {
		t.Errorf("addrs = %q %q", w.NomadAddr(), w.ConsulAddr())
	}
	s := w.Snapshot()
	if s == nil || s.Nomad.Addr != w.NomadAddr() || s.Consul.Addr != w.ConsulAddr() || !s.Nomad.Stale() || s.Sites == nil {
		t.Errorf("snapshot before Run = %+v", s)
	}
	if cap(w.Updates()) != 1 {
		t.Errorf("Updates capacity = %d", cap(w.Updates()))
	}
	// Defaults come from the environment.
	t.Setenv("NOMAD_ADDR", "http://nomad.example:4646")
	t.Setenv("CONSUL_HTTP_ADDR", "consul.example:8500")
	if w, err = New(Config{}); err != nil || w.NomadAddr() != "http://nomad.example:4646" || w.ConsulAddr() != "http://consul.example:8500" {
		t.Errorf("env defaults: %v %q %q", err, w.NomadAddr(), w.ConsulAddr())
	}
}
