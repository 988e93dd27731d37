package sources

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Site statuses (Site.Status, and the To of "site" transitions).
const (
	SiteUp       = "up"
	SiteDegraded = "degraded"
	SiteDown     = "down"
)

// restartWindow: an allocation whose task restarted this recently is
// "restarting" (degraded), not healthy.
const restartWindow = 10 * time.Minute

// buildOutages derives what is down or degraded now and sets each site's
// Status. Rules:
//   - node: status down or disconnected.
//   - service (per site): instances not passing (maintenance excluded, it
//     is deliberate); "critical" when every instance in the site is
//     critical, "degraded" when only some, "warning" when only warnings.
//     Linked through the first critical check to its instance, the alloc
//     that registered it, its job and node.
//   - job (per site): a job not stopped with an allocation failing now:
//     failed or lost and not replaced, or replaced (rescheduled, even when
//     Nomad marked it desired stop) by one that has not run steadily for
//     settleTime yet ("failed": a job failing at every start stays one
//     outage); or restarting ("degraded"); or
//     queued allocations in a blocked evaluation (no capacity: "degraded",
//     site of the job's first datacenter); or its newest deployment failed.
//   - site: "down" when it has nodes and none is up; "degraded" when a
//     node is down or any other outage sits in it.
//
// Since comes from prev: kept when prev had the same outage with the same
// status, the snapshot
// time when it is new and prev already had data from that backend (that
// is the transition time), else the best time the objects tell (zero if
// none).
func buildOutages(s *Snapshot, prev *Snapshot) []Outage {
	x := s.index()
	now := s.Taken
	var out []Outage

	for _, n := range s.Nomad.Nodes {
		if n.Down() {
			detail := "node " + n.Status
			if n.StatusDescription != "" {
				detail += ": " + n.StatusDescription
			}
			out = append(out, Outage{Kind: "node", Name: n.Name, Site: n.Site, Status: SiteDown, Detail: detail, NodeID: n.ID})
		}
	}

	// Services, per (service, site).
	type svcKey struct{ service, site string }
	type svcAgg struct {
		total, critical, warning int
		first                    *ServiceInstance
		check                    *Check
	}
	svcs := map[svcKey]*svcAgg{}
	var svcOrder []svcKey
	for i := range s.Consul.Instances {
		in := &s.Consul.Instances[i]
		if in.Status == StatusMaintenance {
			continue
		}
		k := svcKey{in.Service, in.Site}
		ag := svcs[k]
		if ag == nil {
			ag = &svcAgg{}
			svcs[k] = ag
			svcOrder = append(svcOrder, k)
		}
		ag.total++
		switch in.Status {
		case StatusCritical:
			ag.critical++
		case StatusWarning:
			ag.warning++
		default:
			continue
		}
		if ag.first == nil || (in.Status == StatusCritical && ag.first.Status != StatusCritical) {
			ag.first = in
			ag.check = nil
			// The failing check: the instance's own, else its node's (a
			// node whose agent is unreachable fails every instance on it).
			for _, id := range []string{in.ID, ""} {
				for _, ci := range x.checksOfInst[instKey{in.Datacenter, in.Node, id}] {
					if c := &s.Consul.Checks[ci]; c.Status == in.Status && ag.check == nil {
						ag.check = c
					}
				}
			}
		}
	}
	for _, k := range svcOrder {
		ag := svcs[k]
		if ag.first == nil {
			continue
		}
		o := Outage{Kind: "service", Name: k.service, Site: k.site, ServiceID: ag.first.ID, AllocID: ag.first.AllocID}
		switch {
		case ag.critical == ag.total:
			o.Status = StatusCritical
		case ag.critical > 0:
			o.Status = SiteDegraded
		default:
			o.Status = StatusWarning
		}
		o.Detail = fmt.Sprintf("%d/%d instances %s", ag.critical+ag.warning, ag.total, ag.first.Status)
		if c := ag.check; c != nil {
			o.CheckID = c.ID
			o.Detail = c.Name
			if line := firstLine(c.Output); line != "" {
				o.Detail += ": " + line
			}
		}
		if a, ok := s.AllocByID(ag.first.AllocID); ok {
			o.JobID, o.NodeID = a.JobID, a.NodeID
		}
		out = append(out, o)
	}

	// Jobs, per (job, site).
	type jobKeyS struct{ ns, job, site string }
	jobOut := map[jobKeyS]*Outage{}
	var jobOrder []jobKeyS
	addJob := func(j *Job, site, status, detail, allocID, nodeID string, since time.Time) {
		k := jobKeyS{j.Namespace, j.ID, site}
		o := jobOut[k]
		if o == nil {
			o = &Outage{Kind: "job", Name: j.ID, Namespace: j.Namespace, Site: site, Status: status, Detail: detail, JobID: j.ID, AllocID: allocID, NodeID: nodeID, Since: since}
			jobOut[k] = o
			jobOrder = append(jobOrder, k)
			return
		}
		if status == "failed" && o.Status != "failed" {
			o.Status, o.Detail, o.AllocID, o.NodeID = status, detail, allocID, nodeID
		}
		if !since.IsZero() && (o.Since.IsZero() || since.Before(o.Since)) {
			o.Since = since
		}
	}
	for ji := range s.Nomad.Jobs {
		j := &s.Nomad.Jobs[ji]
		// Not "dead": Nomad marks a service job dead while its failed
		// alloc waits for a delayed reschedule.
		if j.Stop {
			continue
		}
		for _, ai := range x.allocsOfJobIn[nsKey{j.Namespace, j.ID}] {
			a := &s.Nomad.Allocs[ai]
			if failedOrLost(a) {
				// Nomad marks a rescheduled alloc desired "stop": it still
				// counts while its replacement has not settled, else a job
				// failing at every start leaves the outages between two
				// failures. Only the newest failure of a reschedule chain
				// counts (the others are replaced by a failure).
				next, replaced := s.AllocByID(a.NextAllocation)
				switch {
				case replaced && failedOrLost(&next):
					continue // the newer failure speaks for the chain
				case replaced && (next.DesiredStatus != "run" || settled(&next, now)):
					continue // replaced, and the replacement runs steadily (or was stopped)
				case !replaced && a.DesiredStatus != "run":
					continue
				}
				addJob(j, a.Site, "failed", allocSummary(a), a.ID, a.NodeID, a.ModifyTime)
				continue
			}
			if a.DesiredStatus != "run" {
				continue
			}
			switch {
			case a.NextAllocation == "" && (a.ClientStatus == "running" || a.ClientStatus == "pending") && restarting(a, now):
				addJob(j, a.Site, SiteDegraded, allocSummary(a), a.ID, a.NodeID, lastRestart(a))
			}
		}
		if ds := x.deploymentsOfJobIn[nsKey{j.Namespace, j.ID}]; len(ds) > 0 {
			if d := s.Nomad.Deployments[ds[0]]; d.Status == "failed" && d.JobVersion == j.Version {
				addJob(j, jobSite(s, j), "failed", "deployment failed: "+firstLine(d.StatusDescription), "", "", time.Time{})
			}
		}
		if j.Queued > 0 {
			reason := ""
			for _, e := range s.BlockedEvalsOfJob(j.Namespace, j.ID) {
				if e.Reason != "" {
					reason = ": " + e.Reason
					break
				}
			}
			addJob(j, jobSite(s, j), SiteDegraded, fmt.Sprintf("%d allocations queued, no capacity%s", j.Queued, reason), "", "", time.Time{})
		}
	}
	for _, k := range jobOrder {
		out = append(out, *jobOut[k])
	}

	// Sites.
	bySite := map[string]int{}
	for _, o := range out {
		bySite[o.Site]++
	}
	for i := range s.Sites {
		st := &s.Sites[i]
		st.Status = SiteUp
		switch {
		case st.NodesUp == 0 && st.NodesDown > 0:
			st.Status = SiteDown
		case st.NodesDown > 0 || bySite[st.Name] > 0:
			st.Status = SiteDegraded
		}
		if st.Status != SiteUp && st.Name != "" {
			detail := fmt.Sprintf("%d/%d nodes up, %d outages", st.NodesUp, st.NodesUp+st.NodesDown, bySite[st.Name])
			out = append(out, Outage{Kind: "site", Name: st.Name, Site: st.Name, Status: st.Status, Detail: detail})
		}
	}

	// Since: carried over, or the transition time.
	type was struct {
		status string
		since  time.Time
	}
	var prevSince map[[4]string]was
	nomadBefore, consulBefore := false, false
	if prev != nil && !prev.Taken.IsZero() {
		nomadBefore, consulBefore = !prev.Nomad.Updated.IsZero(), !prev.Consul.Updated.IsZero()
		prevSince = make(map[[4]string]was, len(prev.Outages))
		for _, o := range prev.Outages {
			prevSince[[4]string{o.Kind, o.Namespace, o.Name, o.Site}] = was{o.Status, o.Since}
		}
	}
	for i := range out {
		o := &out[i]
		// Same status: same outage, same start. A new status (degraded ->
		// down) starts at its own transition, but for a job: failing and
		// restarting between failures are one trouble, one start (else a
		// job failing at every start would restart its outage each time).
		if p, ok := prevSince[[4]string{o.Kind, o.Namespace, o.Name, o.Site}]; ok && (p.status == o.Status || o.Kind == "job") {
			o.Since = p.since
			continue
		}
		before := nomadBefore
		if o.Kind == "service" {
			before = consulBefore
		}
		if before {
			o.Since = now
		}
	}
	// A site seen degraded from the start has no transition of its own: it
	// has been degraded at least since the oldest known outage inside it.
	for i := range out {
		if o := &out[i]; o.Kind == "site" && o.Since.IsZero() {
			for _, c := range out {
				if c.Kind != "site" && c.Site == o.Site && !c.Since.IsZero() && (o.Since.IsZero() || c.Since.Before(o.Since)) {
					o.Since = c.Since
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Outage) int {
		if c := cmp.Compare(a.Site, b.Site); c != 0 {
			return c
		}
		if c := cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)); c != 0 {
			return c
		}
		return compareStrings(a.Name, b.Name, a.Namespace, b.Namespace)
	})
	return out
}

func kindRank(k string) int {
	return strings.Index("site node job service", k)
}

func failedOrLost(a *Alloc) bool { return a.ClientStatus == "failed" || a.ClientStatus == "lost" }

// settleTime: a replacement allocation must run this long, without
// restarts, before the failure it replaced stops counting (a job that
// fails a second after each start never settles).
const settleTime = time.Minute

// settled reports an allocation running steadily: every task running
// since settleTime at least, no recent restart.
func settled(a *Alloc, now time.Time) bool {
	if a.ClientStatus != "running" || restarting(a, now) {
		return false
	}
	for _, t := range a.Tasks {
		if t.State != "running" || t.StartedAt.IsZero() || now.Sub(t.StartedAt) < settleTime {
			return false
		}
	}
	return true
}

// restarting reports a task restart within restartWindow of now.
func restarting(a *Alloc, now time.Time) bool {
	lr := lastRestart(a)
	return !lr.IsZero() && now.Sub(lr) < restartWindow
}

func lastRestart(a *Alloc) time.Time {
	var t time.Time
	for _, ts := range a.Tasks {
		if ts.Restarts > 0 && ts.LastRestart.After(t) {
			t = ts.LastRestart
		}
	}
	return t
}

// jobSite is the site of a job without a failing alloc to place it: its
// first datacenter's site when a node tells it, else "".
func jobSite(s *Snapshot, j *Job) string {
	for _, n := range s.Nomad.Nodes {
		if slices.Contains(j.Datacenters, n.Datacenter) {
			return n.Site
		}
	}
	return ""
}

// allocSummary says what went wrong with an allocation in one line: its
// client description or the last task event.
func allocSummary(a *Alloc) string {
	d := fmt.Sprintf("alloc %s on %s %s", shortID(a.ID), a.NodeName, a.ClientStatus)
	var last TaskEvent
	for _, t := range a.Tasks {
		if n := len(t.Events); n > 0 && t.Events[n-1].Time.After(last.Time) {
			last = t.Events[n-1]
		}
	}
	switch {
	case last.Message != "":
		d += ": " + firstLine(last.Message)
	case a.ClientDescription != "":
		d += ": " + firstLine(a.ClientDescription)
	}
	return d
}

func shortID(id string) string { return id[:min(8, len(id))] }

// firstLine trims output to its first non-empty line, at most 200 bytes.
func firstLine(s string) string {
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" {
			if len(line) > 200 {
				n := 200
				for n > 0 && !utf8.RuneStart(line[n]) {
					n--
				}
				line = line[:n] + "…"
			}
			return line
		}
	}
	return ""
}
