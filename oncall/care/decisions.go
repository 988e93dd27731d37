package care

import (
	"slices"
	"strconv"
	"strings"

	"codeberg.org/entretien/entretien/oncall"
)

// decisions credits the work of decisions taken together: each proposal
// event of the window to the member who made it.
func (c *computer) decisions() {
	for _, e := range c.f.Decisions {
		if !c.inWindow(e.At) {
			continue
		}
		fig := ""
		switch e.Kind {
		case oncall.EventOpened:
			fig = Proposals
		case oncall.EventImplication:
			fig = Implications
		case oncall.EventPosition, oncall.EventObjection:
			fig = Positions
		case oncall.EventClosed:
			fig = Outcomes
		default:
			continue
		}
		ref := "proposal #" + strconv.FormatInt(e.ProposalID, 10)
		c.add(e.By, fig, Fact{Kind: "proposal", Ref: ref, Start: e.At, Amount: 1, Note: string(e.Kind) + ": " + e.Text})
	}
}

// unheard lists, per host, the proposals affecting their machines (the
// node itself, or its site) on which they took no position.
func (c *computer) unheard() []UnheardHost {
	by := map[string]*UnheardHost{}
	for _, p := range c.f.Proposals {
		if !p.OpenedAt.Before(c.to) {
			continue
		}
		hosts := map[string][]string{} // host -> machines affected
		for _, a := range p.Affects {
			kind, name, _ := strings.Cut(a, "/")
			for _, m := range c.f.Machines {
				runs := kind == "service" && slices.Contains(c.f.ServiceNodes[name], m.Node)
				if m.HostedBy != "" && ((kind == "node" && m.Node == name) || (kind == "site" && m.Site == name) || runs) {
					hosts[m.HostedBy] = append(hosts[m.HostedBy], m.Site+"/"+m.Node)
				}
			}
		}
		for _, h := range sortedKeys(hosts) {
			if slices.Contains(p.Heard, h) {
				continue
			}
			u := by[h]
			if u == nil {
				u = &UnheardHost{Host: h, Machines: []string{}, Proposals: []int64{}, Facts: []Fact{}}
				by[h] = u
			}
			ms := uniq(hosts[h])
			u.Proposals = append(u.Proposals, p.ID)
			for _, m := range ms {
				if !slices.Contains(u.Machines, m) {
					u.Machines = append(u.Machines, m)
				}
			}
			slices.Sort(u.Machines)
			u.Facts = append(u.Facts, Fact{Kind: "proposal", Ref: "proposal #" + strconv.FormatInt(p.ID, 10) + " " + p.Title, Start: p.OpenedAt, Amount: 1,
				Note: "affects " + strings.Join(ms, ", ") + " (" + string(p.State) + "), no position from " + h})
		}
	}
	out := []UnheardHost{}
	for _, h := range sortedKeys(by) {
		out = append(out, *by[h])
	}
	return out
}
