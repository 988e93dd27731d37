// Package nodes lists the machines per site: status, eligibility, drain,
// what runs on them, and the member who hosts each one at home, so that
// when a node is down the screen says who has physical access to it.
package nodes

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/allocs"
	"codeberg.org/entretien/entretien/views/common"
)

// New is the nodes screen, every site (`:site` narrows it).
func New(ctx *common.Context) *common.ListScreen {
	return newList(ctx, "nodes", "")
}

// NewForSite lists the nodes of one site (drill-down from a site outage).
func NewForSite(ctx *common.Context, site string) *common.ListScreen {
	return newList(ctx, "site "+sanitize.Line(common.SiteLabel(site)), site)
}

func newList(ctx *common.Context, name, site string) *common.ListScreen {
	s := common.NewListScreen(ctx, name,
		common.Col{Title: "SITE", Min: 6}, common.Col{Title: "NODE", Min: 8},
		common.Col{Title: "STATE", Min: 7}, common.Col{Title: "ELIGIBLE", Min: 8},
		common.Col{Title: "ALLOCS", Min: 6}, common.Col{Title: "HOSTED BY", Min: 9},
		common.Col{Title: "ADDRESS", Min: 8, Flex: true})
	s.Empty = "no nodes known"
	s.OpenHelp = "open node"
	s.Build = func(snap *sources.Snapshot) []common.Row {
		nodes := snap.Nomad.Nodes // every site; `:site` narrows the rows
		if site != "" {
			nodes = snap.NodesOfSite(site)
		}
		var rows []common.Row
		for _, n := range nodes {
			elig := common.Spec{Text: "eligible", Kind: common.Muted}
			if !n.Eligible {
				elig = common.Spec{Text: "ineligible", Kind: common.Warn}
			}
			host := snap.HostOf(n)
			hostCell := common.Spec{Text: orDash(host), Kind: common.Muted}
			if n.Down() && host != "" {
				hostCell = common.Spec{Text: host + " (physical access)", Kind: common.Crit}
			}
			rows = append(rows, common.Row{
				ID: n.ID, Sites: common.Sites(n.Site), Data: n,
				Cells: []common.Spec{
					{Text: common.SiteLabel(n.Site), Kind: common.Bold},
					{Text: n.Name},
					common.StatusSpec(n.State()),
					elig,
					{Text: fmt.Sprint(running(snap, n.ID))},
					hostCell,
					{Text: n.Address, Kind: common.Muted},
				},
			})
		}
		return rows
	}
	s.Head = func(snap *sources.Snapshot, width int) string { return downNotice(ctx, snap, site) }
	s.Open = func(r common.Row) tea.Cmd { return common.Push(NewDetail(ctx, r.ID)) }
	s.Actions = actions(s, func(r common.Row, ok bool) (sources.Node, bool) {
		if !ok {
			return sources.Node{}, false
		}
		return r.Data.(sources.Node), true
	})
	return s
}

// running counts the allocations running on a node.
func running(snap *sources.Snapshot, nodeID string) int {
	n := 0
	for _, a := range snap.AllocsOfNode(nodeID) {
		if a.ClientStatus == "running" {
			n++
		}
	}
	return n
}

// downNotice says, for each node down, who can go and look at it.
func downNotice(ctx *common.Context, snap *sources.Snapshot, site string) string {
	st := ctx.Styles
	var lines []string
	for _, n := range snap.Nomad.Nodes {
		if !n.Down() || (site != "" && n.Site != site) || (ctx.Site != "" && n.Site != ctx.Site) {
			continue
		}
		who := snap.HostOf(n)
		line := st.Crit.Render(sanitize.Line(n.Name)+" "+n.State()) + " in " + sanitize.Line(common.SiteLabel(n.Site))
		if who != "" {
			line += ": " + st.Bold.Render(sanitize.Line(who)) + " hosts it and has physical access"
		} else {
			line += st.Muted.Render(": nobody is recorded as hosting it (node meta " + sources.DefaultHostKey + ")")
		}
		lines = append(lines, line)
	}
	if len(lines) > 3 {
		lines = append(lines[:2], st.Muted.Render(fmt.Sprintf("… and %d more nodes down", len(lines)-2)))
	}
	return strings.Join(lines, "\n")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// NewDetail is one node: its fields, meta and host, and the allocations
// placed on it (enter opens one).
func NewDetail(ctx *common.Context, nodeID string) *common.ListScreen {
	st := ctx.Styles
	s := common.NewListScreen(ctx, "node "+common.ShortID(nodeID),
		common.Col{Title: "ALLOC", Min: 8}, common.Col{Title: "JOB", Min: 6}, common.Col{Title: "GROUP", Min: 5},
		common.Col{Title: "STATUS", Min: 7}, common.Col{Title: "RESTARTS", Min: 8}, common.Col{Title: "AGE", Min: 4, Flex: true})
	s.Empty = "no allocation on this node"
	s.OpenHelp = "open allocation"
	s.Build = func(snap *sources.Snapshot) []common.Row {
		now := ctx.Now()
		var rows []common.Row
		for _, a := range snap.AllocsOfNode(nodeID) {
			rows = append(rows, common.Row{ID: a.ID, Data: a, Cells: []common.Spec{
				{Text: common.ShortID(a.ID), Kind: common.Muted}, {Text: a.JobID}, {Text: a.TaskGroup},
				common.StatusSpec(a.ClientStatus), {Text: fmt.Sprint(a.Restarts)},
				{Text: common.Since(now, a.CreateTime), Kind: common.Muted},
			}})
		}
		return rows
	}
	s.Head = func(snap *sources.Snapshot, width int) string {
		n, ok := snap.NodeByID(nodeID)
		if !ok {
			return st.Warn.Render("node " + sanitize.Line(nodeID) + " is no longer known to Nomad")
		}
		s.Name = "node " + sanitize.Line(n.Name)
		host := snap.HostOf(n)
		l1 := st.Bold.Render(sanitize.Line(n.Name)) + "  " + st.ForStatus(n.State()).Render(n.State()) +
			st.Muted.Render("  site ") + sanitize.Line(common.SiteLabel(n.Site)) +
			st.Muted.Render("  dc ") + sanitize.Line(n.Datacenter) +
			st.Muted.Render("  pool ") + sanitize.Line(orDash(n.NodePool)) +
			st.Muted.Render("  address ") + sanitize.Line(orDash(n.Address))
		l2 := st.Muted.Render("hosted by ") + st.Bold.Render(sanitize.Line(orDash(host)))
		if n.Down() && host != "" {
			l2 = st.Crit.Render("down: ") + st.Bold.Render(sanitize.Line(host)) + " hosts it and has physical access"
		}
		if n.StatusDescription != "" {
			l2 += st.Muted.Render("  · " + sanitize.Line(n.StatusDescription))
		}
		// The collective's own keys first; Nomad's connect.* defaults last.
		var meta, defaults []string
		for _, k := range slices.Sorted(maps.Keys(n.Meta)) {
			kv := sanitize.Line(k) + "=" + sanitize.Line(n.Meta[k])
			if strings.HasPrefix(k, "connect.") {
				defaults = append(defaults, kv)
			} else {
				meta = append(meta, kv)
			}
		}
		meta = append(meta, defaults...)
		l3 := st.Muted.Render("meta ") + strings.Join(meta, " ")
		return l1 + "\n" + l2 + "\n" + l3
	}
	s.Open = func(r common.Row) tea.Cmd { return common.Push(allocs.New(ctx, r.ID)) }
	// The node's own keys act on the node, whichever row is selected.
	s.Actions = actions(s, func(common.Row, bool) (sources.Node, bool) {
		if s.Snapshot() == nil {
			return sources.Node{}, false
		}
		return s.Snapshot().NodeByID(nodeID)
	})
	s.Actions = append(s.Actions, allocs.RowActions(s)...)
	return s
}
