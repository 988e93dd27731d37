// Package services lists Consul services, then a service's instances, then
// one instance: its checks with their output, and the node and Nomad
// allocation behind it.
package services

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/allocs"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/nodes"
)

// New is the services screen.
func New(ctx *common.Context) *common.ListScreen {
	s := common.NewListScreen(ctx, "services",
		common.Col{Title: "SERVICE", Min: 8}, common.Col{Title: "STATUS", Min: 8}, common.Col{Title: "INSTANCES", Min: 9},
		common.Col{Title: "HEALTH", Min: 10, Flex: true}, common.Col{Title: "SITES", Min: 6})
	s.Empty = "no services registered in Consul"
	s.OpenHelp = "open service"
	s.Build = func(snap *sources.Snapshot) []common.Row {
		svcs := snap.Services()
		rows := make([]common.Row, 0, len(svcs))
		for _, v := range svcs {
			if v.Unchecked { // registered without checks: nothing to count
				rows = append(rows, common.Row{ID: v.Name, Cells: []common.Spec{
					{Text: v.Name, Kind: common.Bold}, {Text: "unchecked", Kind: common.Muted}, {Text: "?", Kind: common.Muted},
					{Text: "no health check: state unknown", Kind: common.Muted}, {Text: "", Kind: common.Muted},
				}})
				continue
			}
			rows = append(rows, common.Row{ID: v.Name, Sites: v.Sites, Cells: []common.Spec{
				{Text: v.Name, Kind: common.Bold}, common.StatusSpec(v.Status), {Text: fmt.Sprint(v.All)},
				common.Counts([]common.Count{{N: v.Passing, Word: "passing"}, {N: v.Warning, Word: "warning"}, {N: v.Critical, Word: "critical"}, {N: v.Maintenance, Word: "maintenance"}}),
				{Text: strings.Join(v.Sites, " "), Kind: common.Muted},
			}})
		}
		return rows
	}
	s.Open = func(r common.Row) tea.Cmd { return common.Push(NewInstances(ctx, r.ID)) }
	return s
}

// NewInstances lists the instances of one service; enter opens an
// instance (its checks), a opens the allocation behind it.
func NewInstances(ctx *common.Context, service string) common.Screen {
	s := common.NewListScreen(ctx, "service "+sanitize.Line(service),
		common.Col{Title: "SITE", Min: 4}, common.Col{Title: "NODE", Min: 4}, common.Col{Title: "STATUS", Min: 8},
		common.Col{Title: "ADDRESS", Min: 7}, common.Col{Title: "ALLOC", Min: 8}, common.Col{Title: "FAILING CHECK", Min: 12, Flex: true})
	s.Empty = "no instance of this service"
	s.OpenHelp = "open instance (checks)"
	l := newLive(s)
	l.service = service
	s.Head = func(snap *sources.Snapshot, width int) string {
		dcs := uncheckedDCs(snap, service)
		if len(dcs) == 0 {
			return ""
		}
		head := ctx.Styles.Warn.Render("no health check") + ctx.Styles.Muted.Render(
			" · registered without any check in "+sanitize.Line(strings.Join(dcs, ", "))+": its instances are read from the catalog, their state is unknown")
		if l.catalogErr != nil {
			head += "\n" + ctx.Styles.Crit.Render("catalog: ") + ctx.Styles.Muted.Render(sanitize.Line(l.catalogErr.Error()))
		}
		return head
	}
	s.Build = func(snap *sources.Snapshot) []common.Row {
		insts := snap.InstancesOfService(service)
		failing := failingOutput(snap, l, insts)
		var rows []common.Row
		for _, in := range slices.Concat(insts, l.catalog) {
			if in.Service != service {
				continue
			}
			alloc := common.Spec{Text: "—", Kind: common.Muted}
			if in.AllocID != "" {
				alloc = common.Spec{Text: common.ShortID(in.AllocID), Kind: common.Muted}
			}
			status := common.StatusSpec(in.Status)
			if in.Status == "" { // from the catalog: nothing checks it
				status = common.Spec{Text: "unknown", Kind: common.Muted}
			}
			rows = append(rows, common.Row{ID: in.ID, Sites: common.Sites(in.Site), Data: in, Cells: []common.Spec{
				{Text: common.SiteLabel(in.Site), Kind: common.Bold}, {Text: in.Node}, status,
				{Text: addr(in), Kind: common.Muted}, alloc,
				{Text: failing[in.ID], Kind: common.Muted},
			}})
		}
		return rows
	}
	s.Open = func(r common.Row) tea.Cmd {
		if in, ok := r.Data.(sources.ServiceInstance); ok && in.Status == "" {
			return nil // no check to show (a opens its allocation, if any)
		}
		return common.Push(NewInstance(ctx, r.ID))
	}
	s.Actions = []common.Action{{
		Binding: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "open its allocation")),
		Run: func(r common.Row, ok bool) tea.Cmd {
			if in, isInst := r.Data.(sources.ServiceInstance); ok && isInst && in.AllocID != "" {
				return common.Push(allocs.New(ctx, in.AllocID))
			}
			return nil
		},
	}}
	return l
}

// failingOutput is, per instance, the check failing it (its own, else
// its node's) with the first line of its live output.
func failingOutput(snap *sources.Snapshot, l *live, insts []sources.ServiceInstance) map[string]string {
	out := map[string]string{}
	for _, in := range insts {
		if c, ok := snap.FailingCheck(in); ok {
			line, _, _ := strings.Cut(strings.TrimSpace(l.output(c)), "\n")
			out[in.ID] = c.Name + ": " + line
		}
	}
	return out
}

// link is a row of the instance screen that is not a check.
type link struct{ kind, id string }

// NewInstance is one service instance: its checks with their output
// (enter reads the whole output), then the allocation and the node behind
// it (enter opens them).
func NewInstance(ctx *common.Context, instanceID string) common.Screen {
	st := ctx.Styles
	s := common.NewListScreen(ctx, "instance",
		common.Col{Title: "WHAT", Min: 5}, common.Col{Title: "NAME", Min: 8}, common.Col{Title: "STATUS", Min: 8},
		common.Col{Title: "OUTPUT", Min: 10, Flex: true})
	s.Empty = "this instance is no longer registered"
	s.OpenHelp = "read output / open"
	l := newLive(s)
	s.Build = func(snap *sources.Snapshot) []common.Row {
		in, ok := snap.InstanceByID(instanceID)
		if !ok {
			return nil
		}
		var rows []common.Row
		// Its own checks, then its node's (they fail the instance too).
		for _, c := range slices.Concat(snap.ChecksOfInstance(in), snap.NodeChecks(in.Datacenter, in.Node)) {
			what := "check"
			if c.ServiceID == "" {
				what = "node check"
			}
			out, _, _ := strings.Cut(strings.TrimSpace(l.output(c)), "\n")
			rows = append(rows, common.Row{ID: "check/" + c.ID, Data: c, Cells: []common.Spec{
				{Text: what, Kind: common.Muted}, {Text: c.Name}, common.StatusSpec(c.Status), {Text: out, Kind: common.Muted},
			}})
		}
		if in.AllocID != "" {
			a, found := snap.AllocByID(in.AllocID)
			row := common.Row{ID: "alloc/" + in.AllocID, Data: link{"alloc", in.AllocID}, Cells: []common.Spec{
				{Text: "allocation", Kind: common.Muted}, {Text: common.ShortID(in.AllocID)}, common.StatusSpec(a.ClientStatus),
				{Text: "job " + a.JobID + " · group " + a.TaskGroup, Kind: common.Muted},
			}}
			if !found {
				row.Cells[3] = common.Spec{Text: "not known to Nomad", Kind: common.Warn}
			}
			rows = append(rows, row)
		}
		// The Nomad node behind the instance: its allocation's node, else
		// a Nomad node named like the Consul node.
		n, found := snap.NodeByName(in.Node)
		if a, ok := snap.AllocOfInstance(in); ok {
			n, found = snap.NodeByID(a.NodeID)
		}
		if found {
			host := snap.HostOf(n)
			rows = append(rows, common.Row{ID: "node/" + n.ID, Data: link{"node", n.ID}, Cells: []common.Spec{
				{Text: "node", Kind: common.Muted}, {Text: n.Name}, common.StatusSpec(n.State()),
				{Text: "site " + common.SiteLabel(n.Site) + " · hosted by " + orDash(host), Kind: common.Muted},
			}})
		}
		return rows
	}
	s.Head = func(snap *sources.Snapshot, width int) string {
		in, ok := snap.InstanceByID(instanceID)
		if !ok {
			return ""
		}
		s.Name = sanitize.Line(in.Service) + "@" + sanitize.Line(in.Node)
		return st.Bold.Render(sanitize.Line(in.Service)) + "  " + st.ForStatus(in.Status).Render(in.Status) +
			st.Muted.Render("  "+sanitize.Line(addr(in))+"  node ") + sanitize.Line(in.Node) +
			st.Muted.Render("  site ") + sanitize.Line(common.SiteLabel(in.Site)) +
			st.Muted.Render("  tags "+sanitize.Line(orDash(strings.Join(in.Tags, ","))))
	}
	s.Open = func(r common.Row) tea.Cmd {
		switch d := r.Data.(type) {
		case sources.Check:
			text := fmt.Sprintf("%s (%s) is %s\n\n%s", d.Name, d.Type, d.Status, l.output(d))
			return common.Push(common.NewTextScreen(ctx, "check "+sanitize.Line(d.Name), text))
		case link:
			if d.kind == "alloc" {
				return common.Push(allocs.New(ctx, d.id))
			}
			return common.Push(nodes.NewDetail(ctx, d.id))
		}
		return nil
	}
	return l
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func addr(in sources.ServiceInstance) string {
	if in.Address == "" {
		return "—"
	}
	return fmt.Sprintf("%s:%d", in.Address, in.Port)
}
