package common

import (
	"slices"

	"charm.land/bubbles/v2/key"

	"codeberg.org/entretien/entretien/sources"
)

// ActionKeys are the cluster actions' keys, one meaning on every screen
// that offers them (k9s' where it has one: r restart, ctrl+k kill, x
// rather than its s, which sorts here).
type ActionKeys struct {
	Restart, RestartAll, Stop, Exec, Drain, Eligibility, Force key.Binding
}

func DefaultActionKeys() ActionKeys {
	return ActionKeys{
		Restart:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "restart task")),
		RestartAll:  key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "restart allocation")),
		Stop:        key.NewBinding(key.WithKeys("ctrl+k"), key.WithHelp("ctrl+k", "stop allocation")),
		Exec:        key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "exec in the task")),
		Drain:       key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "drain / undrain node")),
		Eligibility: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "node (in)eligible")),
		Force:       key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "force a periodic run")),
	}
}

// AllocTouches are what an action on allocation a touches, as incidents
// name what they affect: its job, its node, its site and its services.
func AllocTouches(snap *sources.Snapshot, a sources.Alloc) []string {
	t := []string{"job/" + a.JobID}
	if a.NodeName != "" {
		t = append(t, "node/"+a.NodeName)
	}
	if a.Site != "" {
		t = append(t, "site/"+a.Site)
	}
	if snap != nil {
		for _, in := range snap.InstancesOfAlloc(a.ID) {
			t = append(t, "service/"+in.Service)
		}
	}
	return slices.Compact(t)
}

// NodeTouches are what an action on node n touches: the node, its site and
// the jobs and services placed on it.
func NodeTouches(snap *sources.Snapshot, n sources.Node) []string {
	t := []string{"node/" + n.Name}
	if n.Site != "" {
		t = append(t, "site/"+n.Site)
	}
	if snap != nil {
		for _, a := range snap.AllocsOfNode(n.ID) {
			if a.ClientStatus == "running" {
				t = append(t, AllocTouches(snap, a)...)
			}
		}
	}
	slices.Sort(t)
	return slices.Compact(t)
}

// OnSite is " on <site>" for a prompt ("" when unknown).
func OnSite(site string) string {
	if site == "" {
		return ""
	}
	return " on " + site
}
