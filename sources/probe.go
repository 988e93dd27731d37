package sources

import (
	"context"
	"fmt"
	"net/http"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// ProbeResult is one backend's answer to a one-off check (entretien doctor).
type ProbeResult struct {
	Addr   string
	Detail string // leader, region, datacenter when reachable
	Err    error  // readable: unreachable, no leader, token lacking a capability
}

type ProbeReport struct{ Nomad, Consul ProbeResult }

// Probe checks once that each backend answers, has a leader and lets the
// token read what entretien follows. A malformed config is the error; a
// failing backend is reported in its result.
func Probe(ctx context.Context, cfg Config) (ProbeReport, error) {
	w, err := New(cfg)
	if err != nil {
		return ProbeReport{}, err
	}
	r := ProbeReport{
		Nomad:  ProbeResult{Addr: w.nomadAddr},
		Consul: ProbeResult{Addr: w.consulAddr},
	}
	nq := (&nomadapi.QueryOptions{}).WithContext(ctx)
	nerr := func(resource string, err error) error {
		return backendError("nomad", resource, w.nomadAddr, w.nomadToken, err)
	}
	cerr := func(resource string, err error) error {
		return backendError("consul", resource, w.consulAddr, w.consulToken, err)
	}
	if leader, err := w.nomad.Status().Leader(); err != nil {
		r.Nomad.Err = nerr("leader", err)
	} else if leader == "" {
		r.Nomad.Err = fmt.Errorf("nomad at %s has no leader", w.nomadAddr)
	} else if _, _, err := w.nomad.Jobs().List(nq); err != nil {
		r.Nomad.Err = nerr("jobs", err)
	} else if _, _, err := w.nomad.Nodes().List(nq); err != nil {
		r.Nomad.Err = nerr("nodes", err)
	} else if err := w.namespaceExists(nq); err != nil {
		r.Nomad.Err = err
	} else {
		r.Nomad.Detail = "leader " + leader
		if w.region != "" {
			r.Nomad.Detail += ", region " + w.region
		}
		r.Nomad.Detail += ", namespace " + w.namespace
	}
	cq := (&consulapi.QueryOptions{}).WithContext(ctx)
	if leader, err := w.consul.Status().LeaderWithQueryOptions(cq); err != nil {
		r.Consul.Err = cerr("leader", err)
	} else if leader == "" {
		r.Consul.Err = fmt.Errorf("consul at %s has no leader", w.consulAddr)
	} else if _, _, err := w.consul.Health().State(consulapi.HealthAny, cq); err != nil {
		r.Consul.Err = cerr("health checks", err)
	} else {
		r.Consul.Detail = "leader " + leader
	}
	return r, nil
}

// namespaceExists tells a mistyped namespace: Nomad lists nothing for a
// namespace that does not exist, which reads as an empty cluster.
func (w *Watcher) namespaceExists(q *nomadapi.QueryOptions) error {
	if w.namespace == nomadapi.AllNamespacesNamespace {
		return nil
	}
	_, _, err := w.nomad.Namespaces().Info(w.namespace, q)
	if err == nil {
		return nil
	}
	be := backendError("nomad", "namespace "+w.namespace, w.nomadAddr, w.nomadToken, err)
	if be.Status == http.StatusNotFound {
		return fmt.Errorf("nomad at %s has no namespace %q (--nomad-namespace or NOMAD_NAMESPACE; * follows every namespace)", w.nomadAddr, w.namespace)
	}
	return be
}
