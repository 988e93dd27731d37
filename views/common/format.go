package common

import (
	"fmt"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/sources"
)

// ShortID is the first 8 characters of a Nomad UUID, as the nomad CLI shows.
func ShortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// SiteLabel names a site, including the site of unknown objects.
func SiteLabel(site string) string {
	if site == "" {
		return "(no site)"
	}
	return site
}

// Since writes how long ago t was ("12m"), or "—" when unknown.
func Since(now, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return Ago(now.Sub(t))
}

// Sites returns the one-element site list of a row bound to one site.
func Sites(site string) []string { return []string{site} }

// Plural is n with the noun in the right number: "1 fact", "3 facts".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Count is one part of a "2 running · 1 failed" cell.
type Count struct {
	N    int
	Word string
}

// Counts writes the non-zero counts ("none" when all are zero), styled by
// the worst of their states; the words carry the meaning.
func Counts(cs []Count) Spec {
	var parts []string
	worst := ""
	for _, c := range cs {
		if c.N == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%d %s", c.N, c.Word))
		if sources.StatusRank(c.Word) > sources.StatusRank(worst) {
			worst = c.Word
		}
	}
	if len(parts) == 0 {
		return Spec{Text: "none", Kind: Muted}
	}
	return Spec{Text: strings.Join(parts, " · "), Kind: Status, Word: worst}
}
