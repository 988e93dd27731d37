package sources

import (
	"slices"
	"strings"
)

// ServiceSummary is one Consul service over every site and datacenter.
type ServiceSummary struct {
	Name string
	// Status is the worst of its instances' (StatusRank); "" when the
	// service is registered without any check (Unchecked).
	Status                                       string
	Passing, Warning, Critical, Maintenance, All int
	Sites                                        []string // sorted
	Unchecked                                    bool     // no instance has a check: its state is unknown
}

// Services summarises every service, sorted by name: those with checks
// from their instances, those without from Consul.Unchecked.
func (s *Snapshot) Services() []ServiceSummary {
	byName := map[string]int{}
	var out []ServiceSummary
	for _, in := range s.Consul.Instances {
		i, ok := byName[in.Service]
		if !ok {
			i = len(out)
			byName[in.Service] = i
			out = append(out, ServiceSummary{Name: in.Service, Status: StatusPassing})
		}
		v := &out[i]
		v.All++
		switch in.Status {
		case StatusPassing:
			v.Passing++
		case StatusWarning:
			v.Warning++
		case StatusCritical:
			v.Critical++
		case StatusMaintenance:
			v.Maintenance++
		}
		v.Status = WorseStatus(v.Status, in.Status)
		if !slices.Contains(v.Sites, in.Site) {
			v.Sites = append(v.Sites, in.Site)
		}
	}
	for _, u := range s.Consul.Unchecked {
		if _, ok := byName[u.Name]; !ok {
			byName[u.Name] = len(out)
			out = append(out, ServiceSummary{Name: u.Name, Unchecked: true})
		}
	}
	for i := range out {
		slices.Sort(out[i].Sites)
	}
	slices.SortFunc(out, func(a, b ServiceSummary) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// FailingCheck is the check that makes an instance fail: its worst
// service check that is not passing, else its node's worst (a node whose
// agent is unreachable fails every instance on it); false when all pass.
func (s *Snapshot) FailingCheck(in ServiceInstance) (Check, bool) {
	for _, cs := range [][]Check{s.ChecksOfInstance(in), s.NodeChecks(in.Datacenter, in.Node)} {
		var worst Check
		found := false
		for _, c := range cs {
			if StatusRank(c.Status) > max(StatusRank(worst.Status), RankOK) {
				worst, found = c, true
			}
		}
		if found {
			return worst, true
		}
	}
	return Check{}, false
}
