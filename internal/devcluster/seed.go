package devcluster

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// python3 serves the seeded web tasks (python3 -m http.server).
const python3 = "/usr/bin/python3"

// Seeded job names, for tests and the demo.
const (
	jobGarage  = "garage"  // one healthy web instance per site
	jobGuichet = "guichet" // in lyon, Consul check always critical
	jobBackup  = "backup"  // in paris, always failing
)

// SeedJobs registers the demo and integration fixture jobs: garage (one
// healthy web service per site), guichet (lyon, critical check) and backup
// (paris, keeps failing). Group names are the sites.
func (c *Cluster) SeedJobs(ctx context.Context) error {
	if err := c.checkLive(); err != nil {
		return err
	}
	if st, err := os.Stat(python3); err != nil || st.IsDir() {
		return fmt.Errorf("devcluster: seeded web tasks need %s (python3 -m http.server): %v", python3, err)
	}
	guichetSite, backupSite := pick(c.o.Sites, "lyon", 1), pick(c.o.Sites, "paris", 0)
	jobs := []*nomadapi.Job{
		garageJob(c.o.Sites),
		webJob(jobGuichet, guichetSite, "/does-not-exist"),
		backupJob(backupSite),
	}
	q := (&nomadapi.WriteOptions{}).WithContext(ctx)
	for _, j := range jobs {
		if _, _, err := c.nomad.Jobs().Register(j, q); err != nil {
			return fmt.Errorf("devcluster: registering job %s: %w", *j.ID, err)
		}
	}
	c.logf("seed: registered %d jobs", len(jobs))
	return nil
}

// pick returns want when it is one of the sites (the defaults), else the
// site at index i (or the last one), so custom site lists still get seeded.
func pick(sites []string, want string, i int) string {
	if slices.Contains(sites, want) {
		return want
	}
	return sites[min(i, len(sites)-1)]
}

func siteGroup(site string) *nomadapi.TaskGroup {
	g := nomadapi.NewTaskGroup(site, 1)
	g.Constrain(nomadapi.NewConstraint("${node.datacenter}", "=", site))
	return g
}

// webGroup serves the task dir over HTTP on a dynamic port, registered in
// Consul as service with an HTTP check on checkPath.
func webGroup(site, service, checkPath string) *nomadapi.TaskGroup {
	g := siteGroup(site)
	g.Networks = []*nomadapi.NetworkResource{{DynamicPorts: []nomadapi.Port{{Label: "http"}}}}
	g.Services = []*nomadapi.Service{{
		Name:      service,
		PortLabel: "http",
		Provider:  "consul",
		Checks: []nomadapi.ServiceCheck{{
			Type: "http", Path: checkPath, Interval: 5 * time.Second, Timeout: 2 * time.Second,
		}},
	}}
	t := nomadapi.NewTask("web", "raw_exec").
		SetConfig("command", python3).
		SetConfig("args", []string{"-m", "http.server", "${NOMAD_PORT_http}", "--bind", "${NOMAD_IP_http}", "--directory", "${NOMAD_TASK_DIR}"}).
		Require(&nomadapi.Resources{CPU: new(50), MemoryMB: new(64)})
	return g.AddTask(t)
}

func garageJob(sites []string) *nomadapi.Job {
	j := nomadapi.NewServiceJob(jobGarage, jobGarage, "global", 50)
	j.Datacenters = slices.Clone(sites)
	for _, s := range sites {
		j.AddTaskGroup(webGroup(s, jobGarage, "/"))
	}
	return j
}

func webJob(name, site, checkPath string) *nomadapi.Job {
	j := nomadapi.NewServiceJob(name, name, "global", 50)
	j.Datacenters = []string{site}
	return j.AddTaskGroup(webGroup(site, name, checkPath))
}

// backupJob fails after a second; 2 local restarts 3 s apart, then the alloc
// fails and is rescheduled every 10 s, forever.
func backupJob(site string) *nomadapi.Job {
	j := nomadapi.NewServiceJob(jobBackup, jobBackup, "global", 50)
	j.Datacenters = []string{site}
	g := siteGroup(site)
	g.RestartPolicy = &nomadapi.RestartPolicy{Attempts: new(2), Delay: new(3 * time.Second), Mode: new("fail")}
	g.ReschedulePolicy = &nomadapi.ReschedulePolicy{
		Delay: new(10 * time.Second), DelayFunction: new("constant"), Unlimited: new(true),
	}
	t := nomadapi.NewTask("backup", "raw_exec").
		SetConfig("command", "/bin/sh").
		SetConfig("args", []string{"-c", "echo starting; sleep 1; echo boom >&2; exit 1"}).
		Require(&nomadapi.Resources{CPU: new(50), MemoryMB: new(32)})
	return j.AddTaskGroup(g.AddTask(t))
}

// WaitSeeded waits until the seeded state is visible: one passing garage
// instance per site in Consul, guichet critical, backup with at least one
// failed alloc. Without a ctx deadline it gives up after 90 s.
func (c *Cluster) WaitSeeded(ctx context.Context) error {
	if err := c.checkLive(); err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
	}
	t0 := time.Now()
	var state string
	for {
		var ok bool
		ok, state = c.seededState(ctx)
		if ok {
			c.logf("seed: jobs settled in %.1fs (%s)", time.Since(t0).Seconds(), state)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devcluster: waiting for seeded jobs: %w (last state: %s)", ctx.Err(), state)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (c *Cluster) seededState(ctx context.Context) (bool, string) {
	cq := (&consulapi.QueryOptions{}).WithContext(ctx)
	var parts []string
	ok := true

	garage, _, err := c.consulc.Health().Service(jobGarage, "", true, cq)
	if err != nil {
		return false, err.Error()
	}
	ok = ok && len(garage) >= len(c.o.Sites)
	parts = append(parts, fmt.Sprintf("garage passing %d/%d", len(garage), len(c.o.Sites)))

	checks, _, err := c.consulc.Health().Checks(jobGuichet, cq)
	if err != nil {
		return false, err.Error()
	}
	critical := checks.AggregatedStatus() == consulapi.HealthCritical
	ok = ok && critical
	parts = append(parts, fmt.Sprintf("guichet %s", orNone(checks.AggregatedStatus())))

	allocs, _, err := c.nomad.Jobs().Allocations(jobBackup, true, (&nomadapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return false, err.Error()
	}
	failed := 0
	for _, a := range allocs {
		if a.ClientStatus == "failed" {
			failed++
		}
	}
	ok = ok && failed >= 1
	parts = append(parts, fmt.Sprintf("backup failed allocs %d", failed))
	return ok, strings.Join(parts, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "absent"
	}
	return s
}

// A second Nomad namespace, for the namespace selection tests: job veille
// runs in both default and ops (the same ID in two namespaces), relais in
// ops only.
const (
	NamespaceOps = "ops"
	JobVeille    = "veille"
	JobRelais    = "relais"
)

// SeedNamespaces creates namespace ops (Nomad OSS has namespaces) and
// registers veille in default and in ops, and relais in ops, in the first
// site. Their task prints "<job> in <namespace>" once, then sleeps.
func (c *Cluster) SeedNamespaces(ctx context.Context) error {
	if err := c.checkLive(); err != nil {
		return err
	}
	q := (&nomadapi.WriteOptions{}).WithContext(ctx)
	ns := &nomadapi.Namespace{Name: NamespaceOps, Description: "the collective's own tooling"}
	if _, err := c.nomad.Namespaces().Register(ns, q); err != nil {
		return fmt.Errorf("devcluster: registering namespace %s: %w", NamespaceOps, err)
	}
	site := c.o.Sites[0]
	for _, j := range []*nomadapi.Job{
		SleepJob(JobVeille, "default", site),
		SleepJob(JobVeille, NamespaceOps, site),
		SleepJob(JobRelais, NamespaceOps, site),
	} {
		if _, _, err := c.nomad.Jobs().Register(j, q); err != nil {
			return fmt.Errorf("devcluster: registering job %s in %s: %w", *j.ID, *j.Namespace, err)
		}
	}
	c.logf("seed: namespace %s, jobs %s (default and %s), %s (%s)", NamespaceOps, JobVeille, NamespaceOps, JobRelais, NamespaceOps)
	return nil
}

// SleepJob is a service job of one raw_exec task in site, in namespace ns:
// it prints "<name> in <namespace>" to stdout, then sleeps.
func SleepJob(name, ns, site string) *nomadapi.Job {
	j := nomadapi.NewServiceJob(name, name, "global", 50)
	j.Namespace = new(ns)
	j.Datacenters = []string{site}
	t := nomadapi.NewTask("sleep", "raw_exec").
		SetConfig("command", "/bin/sh").
		SetConfig("args", []string{"-c", `echo "${NOMAD_JOB_NAME} in ${NOMAD_NAMESPACE}"; exec sleep 3600`}).
		Require(&nomadapi.Resources{CPU: new(20), MemoryMB: new(16)})
	return j.AddTaskGroup(nomadapi.NewTaskGroup("sleep", 1).AddTask(t))
}
