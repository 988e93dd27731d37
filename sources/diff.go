package sources

import (
	"fmt"
	"strconv"
)

// Diff returns the transitions from prev to next: checks changing status,
// allocations changing client status, nodes changing state (status, drain,
// eligibility), deployments and jobs changing status, sites changing
// status. At is next.Taken. Objects that appear are reported (From "")
// only when prev already had data from their backend, and for
// allocations only when they appear failed or lost (a new allocation is
// pending, not news), for deployments only when they appear neither
// successful nor cancelled (those come with the history, after the first
// frame; one that started and ended while the stream was down is the one
// missed). Objects that disappear are not reported. Unchanged objects cost
// one map lookup and a ModifyIndex comparison.
//
// Keys (Transition.Key) use server-side data only, so that two watchers
// seeing the same change derive the same key:
//
//	check/<dc>/<node>/<check id>/<status>/<check ModifyIndex>
//	alloc/<alloc id>/<client status>          (an alloc enters a status once)
//	node/<node id>/<state>/<node ModifyIndex>
//	deployment/<deployment id>/<status>
//	job/<namespace>/<job id>/<status>/<job ModifyIndex>
//	site/<name>/<status>/<highest ModifyIndex of the site's nodes>
//
// The check and site keys are best effort: a watcher that coalesced the
// change with a later one sees a later index.
func Diff(prev, next *Snapshot) []Transition {
	if prev == nil || next == nil {
		return nil
	}
	var out []Transition
	at := next.Taken
	px := prev.index()
	nomadBefore, consulBefore := !prev.Nomad.Updated.IsZero(), !prev.Consul.Updated.IsZero()

	for i := range next.Consul.Checks {
		c := &next.Consul.Checks[i]
		from := ""
		if pi, ok := px.check[checkKey{c.Datacenter, c.Node, c.ID}]; ok {
			p := &prev.Consul.Checks[pi]
			if p.ModifyIndex == c.ModifyIndex && p.Status == c.Status {
				continue
			}
			from = p.Status
		} else if !consulBefore {
			continue
		}
		if from == c.Status {
			continue
		}
		subject := "service/" + c.Service
		if c.ServiceID == "" {
			subject = "node/" + c.Node
		}
		detail := c.Name
		if line := firstLine(c.Output); line != "" {
			detail += ": " + line
		}
		out = append(out, Transition{
			At: at, Kind: "check", Subject: subject, Site: checkSite(next, c),
			From: from, To: c.Status, Detail: detail,
			Key: "check/" + c.Datacenter + "/" + c.Node + "/" + c.ID + "/" + c.Status + "/" + u64(c.ModifyIndex),
		})
	}

	for i := range next.Nomad.Allocs {
		a := &next.Nomad.Allocs[i]
		from := ""
		if pi, ok := px.alloc[a.ID]; ok {
			p := &prev.Nomad.Allocs[pi]
			if p.ClientStatus == a.ClientStatus {
				continue
			}
			from = p.ClientStatus
		} else if !nomadBefore || (a.ClientStatus != "failed" && a.ClientStatus != "lost") {
			continue
		}
		out = append(out, Transition{
			At: at, Kind: "alloc", Subject: "job/" + a.JobID, Site: a.Site,
			From: from, To: a.ClientStatus, Detail: allocSummary(a),
			Key: "alloc/" + a.ID + "/" + a.ClientStatus,
		})
	}

	for i := range next.Nomad.Nodes {
		n := &next.Nomad.Nodes[i]
		from := ""
		if pi, ok := px.node[n.ID]; ok {
			p := &prev.Nomad.Nodes[pi]
			if p.ModifyIndex == n.ModifyIndex && p.Status == n.Status {
				continue
			}
			from = p.State()
		} else if !nomadBefore {
			continue
		}
		to := n.State()
		if from == to {
			continue
		}
		detail := n.StatusDescription
		if detail == "" {
			detail = fmt.Sprintf("node %s in %s", n.Name, n.Datacenter)
		}
		out = append(out, Transition{
			At: at, Kind: "node", Subject: "node/" + n.Name, Site: n.Site,
			From: from, To: to, Detail: detail,
			Key: "node/" + n.ID + "/" + to + "/" + u64(n.ModifyIndex),
		})
	}

	prevDep := make(map[string]int, len(prev.Nomad.Deployments))
	for i, d := range prev.Nomad.Deployments {
		prevDep[d.ID] = i
	}
	for i := range next.Nomad.Deployments {
		d := &next.Nomad.Deployments[i]
		from := ""
		if pi, ok := prevDep[d.ID]; ok {
			from = prev.Nomad.Deployments[pi].Status
		} else if !nomadBefore || d.Status == "successful" || d.Status == "cancelled" {
			// One that appears final is history (listed after the first
			// frame, see deploymentsFinished), not news: a deployment is
			// seen running first.
			continue
		}
		if from == d.Status {
			continue
		}
		healthy, desired := d.Progress()
		detail := fmt.Sprintf("deployment %s of version %d: %d/%d healthy", shortID(d.ID), d.JobVersion, healthy, desired)
		if d.StatusDescription != "" {
			detail += ", " + firstLine(d.StatusDescription)
		}
		out = append(out, Transition{
			At: at, Kind: "deployment", Subject: "job/" + d.JobID, Site: jobSiteIn(next, d.Namespace, d.JobID),
			From: from, To: d.Status, Detail: detail,
			Key: "deployment/" + d.ID + "/" + d.Status,
		})
	}

	prevJob := make(map[[2]string]int, len(prev.Nomad.Jobs))
	for i, j := range prev.Nomad.Jobs {
		prevJob[[2]string{j.Namespace, j.ID}] = i
	}
	for i := range next.Nomad.Jobs {
		j := &next.Nomad.Jobs[i]
		from := ""
		if pi, ok := prevJob[[2]string{j.Namespace, j.ID}]; ok {
			from = prev.Nomad.Jobs[pi].Status
		} else if !nomadBefore {
			continue
		}
		if from == j.Status {
			continue
		}
		detail := j.StatusDescription
		if detail == "" {
			detail = fmt.Sprintf("job %s version %d", j.ID, j.Version)
		}
		out = append(out, Transition{
			At: at, Kind: "job", Subject: "job/" + j.ID, Site: jobSite(next, j),
			From: from, To: j.Status, Detail: detail,
			Key: "job/" + j.Namespace + "/" + j.ID + "/" + j.Status + "/" + u64(j.ModifyIndex),
		})
	}

	for _, st := range next.Sites {
		from := ""
		if pi, ok := px.site[st.Name]; ok {
			from = prev.Sites[pi].Status
		} else if !nomadBefore {
			continue
		}
		if from == st.Status || st.Name == "" || (from == "" && st.Status == SiteUp) {
			continue
		}
		var stamp uint64
		for _, n := range next.Nomad.Nodes {
			if n.Site == st.Name {
				stamp = max(stamp, n.ModifyIndex)
			}
		}
		out = append(out, Transition{
			At: at, Kind: "site", Subject: "site/" + st.Name, Site: st.Name,
			From: from, To: st.Status,
			Detail: fmt.Sprintf("%d/%d nodes up, %d outages", st.NodesUp, st.NodesUp+st.NodesDown, len(next.OutagesOfSite(st.Name))-boolInt(st.Status != SiteUp)),
			Key:    "site/" + st.Name + "/" + st.Status + "/" + u64(stamp),
		})
	}
	return out
}

func u64(n uint64) string { return strconv.FormatUint(n, 10) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkSite is the site of a check's instance, or of its Consul node.
func checkSite(s *Snapshot, c *Check) string {
	x := s.index()
	if c.ServiceID != "" {
		if ids := x.instOfService[c.Service]; len(ids) > 0 {
			for _, i := range ids {
				in := &s.Consul.Instances[i]
				if in.ID == c.ServiceID && in.Node == c.Node && in.Datacenter == c.Datacenter {
					return in.Site
				}
			}
		}
	}
	if n, ok := s.NodeByName(c.Node); ok {
		return n.Site
	}
	return ""
}

func jobSiteIn(s *Snapshot, ns, id string) string {
	if j, ok := s.JobIn(ns, id); ok {
		return jobSite(s, &j)
	}
	return ""
}
