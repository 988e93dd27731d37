package paging

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

// Route names the rotation an outage pages: a route naming it exactly
// (service/garage), else one naming its site (site/lyon), else the
// policy's default, else the first rotation.
func Route(p oncall.PagingPolicy, o oncall.PagedOutage, rotations []string) string {
	for _, want := range []string{o.Target(), "site/" + o.Site} {
		for _, r := range p.Routes {
			if r.Match == want {
				return r.Rotation
			}
		}
	}
	if p.Default != "" {
		return p.Default
	}
	if len(rotations) > 0 {
		return rotations[0]
	}
	return ""
}

// Recipients are the members step pages, given who holds the rotation now
// (oc) and who is reachable now: on_call the holder; next the participant
// after them (the rotation's next shift when the holder covers from
// outside it); everyone every participant and the holder reachable now
// (availability windows and leave respected).
func Recipients(step oncall.PagingStep, oc oncall.OnCall, reachable map[string]bool) []string {
	ps := oc.Rotation.Participants
	switch step.Notify {
	case oncall.NotifyOnCall:
		if oc.HasNow {
			return []string{oc.Now.Member}
		}
		if oc.Next.Member != "" {
			return []string{oc.Next.Member} // before the first shift: its member
		}
	case oncall.NotifyNext:
		if !oc.HasNow {
			return nil
		}
		if i := slices.Index(ps, oc.Now.Member); i >= 0 {
			for k := 1; k < len(ps); k++ {
				if m := ps[(i+k)%len(ps)]; m != oc.Now.Member {
					return []string{m}
				}
			}
			return nil
		}
		if oc.Next.Member != "" && oc.Next.Member != oc.Now.Member {
			return []string{oc.Next.Member}
		}
	case oncall.NotifyEveryone:
		var out []string
		all := slices.Clone(ps)
		if oc.HasNow && !slices.Contains(all, oc.Now.Member) {
			all = append(all, oc.Now.Member)
		}
		for _, m := range all {
			if reachable[m] && !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// Pageable keeps the outages that page: a service critical, a node down,
// a job failed, the database degraded or down, a site down (which then speaks for everything in it) or
// degraded with nothing else in it paging.
func Pageable(all []oncall.PagedOutage) []oncall.PagedOutage {
	down := map[string]bool{}
	for _, o := range all {
		if o.Kind == "site" && o.Status == "down" {
			down[o.Site] = true
		}
	}
	var out []oncall.PagedOutage
	busy := map[string]bool{}
	for _, o := range all {
		ok := false
		switch o.Kind {
		case "service":
			ok = o.Status == "critical"
		case "node":
			ok = o.Status == "down"
		case "job":
			ok = o.Status == "failed"
		case "store":
			// The database lost its standby (degraded) or its primary.
			ok = true
		}
		if ok && !down[o.Site] {
			out = append(out, o)
			busy[o.Site] = true
		}
	}
	for _, o := range all {
		if o.Kind == "site" && (o.Status == "down" || (o.Status == "degraded" && !busy[o.Site])) {
			out = append(out, o)
		}
	}
	return out
}

// Subject is the key of an outage episode: "service/guichet@lyon".
func Subject(kind, name, site string) string { return kind + "/" + name + "@" + site }

// SubjectOf is the Subject of a cluster outage: a job outside the default
// namespace is named with it ("job/ops/garage@lyon").
func SubjectOf(kind, namespace, name, site string) string {
	if namespace != "" && namespace != "default" {
		name = namespace + "/" + name
	}
	return Subject(kind, name, site)
}

// Message is one page as delivered: Title is one line, Text the body.
type Message struct {
	PageID   int64
	Member   string
	Title    string
	Text     string
	Resolved bool
	// Quiet is a non-urgent message (a decision to take part in), sent
	// at the default priority, as resolved messages are.
	Quiet bool
}

// What says what is down and where: "service guichet critical in lyon".
func What(o oncall.PagedOutage) string {
	s := fmt.Sprintf("%s %s %s", o.Kind, sanitize.Line(o.Name), sanitize.Line(o.Status))
	if o.Site != "" && o.Kind != "site" {
		s += " in " + sanitize.Line(o.Site)
	}
	return s
}

// PageMessage is what a page says, and nothing else: what is down, where,
// since when (in the member's zone), who hosts the machine, the incident
// in progress if any, how to acknowledge. No detail line: check outputs
// carry internal URLs.
func PageMessage(o oncall.PagedOutage, pageID int64, member oncall.Member, inc *oncall.Incident, ackVia string, now time.Time) Message {
	loc, err := time.LoadLocation(member.TZ)
	if err != nil {
		loc = time.UTC
	}
	what := What(o)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", what)
	fmt.Fprintf(&b, "since %s (%s ago)\n", o.Since.In(loc).Format("2006-01-02 15:04 MST"), ago(now.Sub(o.Since)))
	if o.Host != "" {
		fmt.Fprintf(&b, "the machine is hosted by %s\n", sanitize.Line(o.Host))
	}
	if inc != nil {
		fmt.Fprintf(&b, "incident #%d in progress: %s\n", inc.ID, sanitize.Line(inc.Title))
	}
	fmt.Fprintf(&b, "acknowledge: %s\n", AckCommand(ackVia, pageID))
	return Message{PageID: pageID, Member: member.Handle, Title: "DOWN " + what, Text: b.String()}
}

// ResolvedMessage is the short message once an outage stayed clear.
func ResolvedMessage(o oncall.PagedOutage, pageID int64, member oncall.Member, now time.Time) Message {
	what := fmt.Sprintf("%s %s", o.Kind, sanitize.Line(o.Name))
	if o.Site != "" && o.Kind != "site" {
		what += " in " + sanitize.Line(o.Site)
	}
	text := fmt.Sprintf("%s is back (down for %s)\n", what, ago(now.Sub(o.Since)))
	return Message{PageID: pageID, Member: member.Handle, Title: "RESOLVED " + what, Text: text, Resolved: true}
}

// AckCommand is how a member acknowledges page id: "ssh bastion entretien
// page ack 12" (ackVia "" drops the ssh part).
func AckCommand(ackVia string, id int64) string {
	cmd := fmt.Sprintf("entretien page ack %d", id)
	if ackVia = strings.TrimSpace(sanitize.Line(ackVia)); ackVia != "" {
		cmd = ackVia + " " + cmd
	}
	return cmd
}

func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// Summary says, in one line, what the pager did about an open episode:
// "paged amelie: email failed (connection refused), webhook delivered ·
// not acknowledged · next escalation in 4m".
func Summary(p oncall.PagingPolicy, o oncall.PagedOutage, pages []oncall.Page, now time.Time) string {
	var parts []string
	for _, pg := range pages {
		if pg.Step > 0 {
			parts = append(parts, fmt.Sprintf("paged %s: %s", sanitize.Line(pg.Member), sanitize.Line(pg.DeliverySummary())))
		}
	}
	switch {
	case !o.Acked.IsZero():
		parts = append(parts, "acknowledged by "+sanitize.Line(o.AckedBy))
	case !o.ClearSince.IsZero():
		parts = append(parts, "clearing")
	default:
		if len(parts) > 0 {
			parts = append(parts, "not acknowledged")
		}
		next := ""
		for _, st := range p.Steps {
			if at := o.Since.Add(p.After + st.Delay); at.After(now) {
				next = "in " + ago(at.Sub(now))
				break
			}
		}
		if next == "" {
			if len(parts) > 0 {
				parts = append(parts, "no further escalation")
			}
		} else if len(parts) == 0 {
			parts = append(parts, "pages "+next)
		} else {
			parts = append(parts, "next escalation "+next)
		}
	}
	return strings.Join(parts, " · ")
}
