// Package retromd writes an incident's retro as Markdown a collective can
// publish, like the outage reports small hosts put online: summary, impact,
// the timeline in UTC, contributing factors, what went well and what was
// hard, and the action items. The care section stays in entretien: it is
// for the collective, not for the public.
package retromd

import (
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

// Headings, in the order Write emits them (after the title). Tests and
// readers of the export may rely on them.
const (
	HSummary  = "Summary"
	HImpact   = "Impact"
	HMoments  = "Key moments"
	HTimeline = "Timeline (UTC)"
	HFactors  = "Contributing factors"
	HWell     = "What went well"
	HHard     = "What was hard"
	HActions  = "Action items"
)

// TimeLayout is how timeline times are written (always UTC).
const TimeLayout = "2006-01-02 15:04:05"

// Write writes r as Markdown to w.
func Write(w io.Writer, r oncall.Retro) error {
	b := &strings.Builder{}
	inc := r.Incident
	fmt.Fprintf(b, "# Incident #%d: %s\n\n", inc.ID, Inline(inc.Title))
	fmt.Fprintf(b, "- Severity: sev%d\n- Status: %s\n", inc.Severity, inc.Status)
	if len(inc.Affects) > 0 {
		fmt.Fprintf(b, "- Affects: %s\n", Inline(strings.Join(inc.Affects, ", ")))
	}
	fmt.Fprintf(b, "- Opened: %s UTC\n", inc.OpenedAt.UTC().Format(TimeLayout))
	if r.Ongoing {
		b.WriteString("- Draft: the incident is not resolved yet\n")
	}

	heading(b, HSummary)
	notes(b, r.Summary, "No summary written.")

	heading(b, HImpact)
	if len(r.ImpactSites) > 0 {
		fmt.Fprintf(b, "- Sites: %s\n", Inline(strings.Join(r.ImpactSites, ", ")))
	}
	// Sites are listed above (with those the captured transitions touched);
	// sites and nodes are places, not services.
	if svc := targets(inc.Affects, "service", "job"); len(svc) > 0 {
		fmt.Fprintf(b, "- Services and jobs: %s\n", Inline(strings.Join(svc, ", ")))
	}
	if nodes := targets(inc.Affects, "node"); len(nodes) > 0 {
		fmt.Fprintf(b, "- Nodes: %s\n", Inline(strings.Join(nodes, ", ")))
	}
	fmt.Fprintf(b, "- Duration: %s\n", Duration(r.ImpactFor))
	for _, n := range r.Impact {
		fmt.Fprintf(b, "- %s\n", Inline(n.Text))
	}

	heading(b, HMoments)
	for _, m := range r.Moments {
		fmt.Fprintf(b, "- %s: %s UTC", m.Name, m.At.UTC().Format(TimeLayout))
		if m.By != "" {
			fmt.Fprintf(b, " (%s)", Inline(m.By))
		}
		b.WriteByte('\n')
	}
	for _, p := range r.Phases {
		fmt.Fprintf(b, "- %s → %s: %s\n", p.From, p.To, Duration(p.D))
	}

	heading(b, HTimeline)
	b.WriteString("| Time (UTC) | Who | What | Entry |\n|---|---|---|---|\n")
	for _, it := range r.Timeline {
		who := it.Who
		if who == "" {
			who = "cluster"
		}
		text := it.Text
		if it.Amends != 0 {
			text = fmt.Sprintf("(amends #%d) %s", it.Amends, text)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", it.At.UTC().Format(TimeLayout), Inline(who), Inline(it.Kind), Inline(text))
	}

	heading(b, HFactors)
	notes(b, r.Factors, "None written yet.")
	heading(b, HWell)
	notes(b, r.WentWell, "None written yet.")
	heading(b, HHard)
	notes(b, r.WasHard, "None written yet.")

	heading(b, HActions)
	if len(r.Actions) == 0 {
		b.WriteString("No action items.\n")
	} else {
		b.WriteString("| # | Action | Owner | Due | State |\n|---|---|---|---|---|\n")
		for _, a := range r.Actions {
			owner, due := a.Owner, a.Due
			if owner == "" {
				owner = "—"
			}
			if due == "" {
				due = "—"
			}
			fmt.Fprintf(b, "| %d | %s | %s | %s | %s |\n", a.ID, Inline(a.Title), Inline(owner), due, a.State)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// targets are the affected targets of the given kinds, as written
// (service/x, job/x), or by name alone when the kind is node.
func targets(affects []string, kinds ...string) []string {
	var out []string
	for _, a := range affects {
		kind, name, _ := strings.Cut(a, "/")
		for _, k := range kinds {
			if kind != k {
				continue
			}
			if k == "node" {
				a = name
			}
			out = append(out, a)
		}
	}
	return out
}

func heading(b *strings.Builder, h string) { fmt.Fprintf(b, "\n## %s\n\n", h) }

func notes(b *strings.Builder, ns []oncall.RetroNote, none string) {
	if len(ns) == 0 {
		b.WriteString(none + "\n")
		return
	}
	for _, n := range ns {
		fmt.Fprintf(b, "- %s\n", Inline(n.Text))
	}
}

// Inline makes text safe inside a Markdown line or table cell: terminal
// escapes and control characters go (sanitize.Line), newlines become
// spaces, and Markdown punctuation is backslash-escaped so a note cannot
// open a link, raw HTML or a new table column.
func Inline(s string) string {
	s = sanitize.Line(s)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|#!~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Unescape undoes Inline's backslashes (for readers parsing the export).
func Unescape(s string) string {
	var b strings.Builder
	esc := false
	for _, r := range s {
		if !esc && r == '\\' {
			esc = true
			continue
		}
		esc = false
		b.WriteRune(r)
	}
	return b.String()
}

// Duration writes a span the way a report reads: 1h 05m, 12m 30s, 45s.
func Duration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd %02dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}
