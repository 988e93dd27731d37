package paging

import (
	"slices"
	"testing"

	"codeberg.org/entretien/entretien/oncall"
)

// What pages: a critical service, a node down, a failed job, the database
// degraded or without a primary, a site down (speaking for what is in it),
// a site degraded only when nothing in it pages already.
func TestPageable(t *testing.T) {
	o := func(kind, name, site, status string) oncall.PagedOutage {
		return oncall.PagedOutage{Subject: Subject(kind, name, site), Kind: kind, Name: name, Site: site, Status: status}
	}
	all := []oncall.PagedOutage{
		o("service", "guichet", "lyon", "critical"),
		o("service", "wiki", "lyon", "warning"),
		o("site", "lyon", "lyon", "degraded"),
		o("node", "paris-1", "paris", "down"),
		o("job", "garage", "paris", "failed"),
		o("site", "paris", "paris", "down"),
		o("site", "bruxelles", "bruxelles", "degraded"),
		o("store", "entretien", "bruxelles", "degraded"),
		o("store", "entretien", "", "down"),
	}
	var got []string
	for _, p := range Pageable(all) {
		got = append(got, p.Subject)
	}
	want := []string{
		"service/guichet@lyon",
		"store/entretien@bruxelles",
		"store/entretien@",
		"site/paris@paris",
		// bruxelles is degraded because its database member is gone,
		// which pages already.
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("pageable %v, want %v", got, want)
	}
}
