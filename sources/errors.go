package sources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// BackendError is what lands in Health.Err: which backend and resource
// failed, and a message a member can act on. It never holds the token in
// its message.
type BackendError struct {
	Backend  string // "nomad" or "consul"
	Resource string // "jobs", "allocations", "nodes", "health checks"
	Addr     string
	Status   int // HTTP status when the server answered, else 0
	msg      string
	err      error
}

func (e *BackendError) Error() string { return e.msg }
func (e *BackendError) Unwrap() error { return e.err }

// PermissionDenied reports an ACL refusal (HTTP 403).
func (e *BackendError) PermissionDenied() bool { return e.Status == http.StatusForbidden }

// needs names the ACL capability each resource requires, for 403 messages.
var needs = map[string]string{
	"jobs":          "namespace capability list-jobs (read policy)",
	"allocations":   "namespace capability read-job (read policy)",
	"nodes":         "node:read",
	"health checks": "service:read and node:read",
	"catalog nodes": "node:read",
	"deployments":   "namespace capability read-job (read policy)",
	"evaluations":   "namespace capability read-job (read policy)",
	"event stream":  "namespace capability read-job for the Job, Allocation, Deployment and Evaluation topics, and node:read for Node",
}

// backendError wraps err from one request. secret is scrubbed from the
// message in case a proxy or server ever echoes it.
func backendError(backend, resource, addr, secret string, err error) *BackendError {
	e := &BackendError{Backend: backend, Resource: resource, Addr: addr, err: err}
	var body string
	var nerr nomadapi.UnexpectedResponseError
	var cerr consulapi.StatusError
	switch {
	case errors.As(err, &nerr) && nerr.HasStatusCode():
		e.Status, body = nerr.StatusCode(), nerr.Body()
	case errors.As(err, &cerr):
		e.Status, body = cerr.Code, cerr.Body
	}
	body = strings.TrimSpace(body)
	if len(body) > 200 {
		body = body[:200] + "…"
	}
	switch {
	case e.Status == http.StatusForbidden:
		e.msg = fmt.Sprintf("%s: permission denied reading %s at %s: the token lacks a capability", backend, resource, addr)
		n := needs[resource]
		if n == "" && strings.HasPrefix(resource, "health checks of") {
			n = needs["health checks"]
		} else if n == "" && strings.HasPrefix(resource, "catalog nodes of") {
			n = needs["catalog nodes"]
		}
		if n != "" {
			e.msg += " (needs " + n + ")"
		}
		if body != "" {
			e.msg += ": " + body
		}
	case e.Status != 0:
		e.msg = fmt.Sprintf("%s: reading %s at %s: HTTP %d", backend, resource, addr, e.Status)
		if body != "" {
			e.msg += ": " + body
		}
	case errors.Is(err, context.DeadlineExceeded):
		e.msg = fmt.Sprintf("%s: no answer from %s in time (reading %s)", backend, addr, resource)
	default:
		var uerr *url.Error
		var serr *json.SyntaxError
		var terr *json.UnmarshalTypeError
		cause := err
		if errors.As(err, &uerr) {
			cause = uerr.Err // drop the full request URL, the address is enough
		}
		if errors.As(err, &serr) || errors.As(err, &terr) || errors.Is(err, io.ErrUnexpectedEOF) {
			e.msg = fmt.Sprintf("%s: reading %s at %s: unreadable answer: %v", backend, resource, addr, cause)
		} else {
			e.msg = fmt.Sprintf("%s: reading %s at %s: %v", backend, resource, addr, cause)
		}
	}
	if secret != "" {
		e.msg = strings.ReplaceAll(e.msg, secret, "<redacted>")
	}
	return e
}
