package oncall

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// TimelineItem is one line of the merged timeline: a journal entry (notes,
// status changes, captured cluster transitions) or a role change.
type TimelineItem struct {
	At      time.Time
	Who     string // member handle; "" for the cluster
	Kind    string // an EntryKind, or "role"
	Text    string // as stored; sanitise when drawing
	EntryID int64  // 0 for role changes
	Amends  int64  // the entry this one corrects, 0 if none
}

// Moment is a key instant of an incident: detected, acknowledged,
// mitigated, resolved, reviewed (and the first cluster signal when it came
// before anyone opened the incident).
type Moment struct {
	Name string
	At   time.Time
	By   string // "" for the cluster
}

// Phase is the time between two key moments.
type Phase struct {
	From, To string
	D        time.Duration
}

// Key moment names.
const (
	MomentFirstSignal = "first signal"
	MomentDetected    = "detected"
)

// Retro is everything the retro of an incident shows, assembled from the
// journal, the roles, the captured transitions and the retro notes.
type Retro struct {
	Incident Incident
	Timeline []TimelineItem
	Moments  []Moment
	Phases   []Phase // between consecutive moments up to resolved, then the total
	Roles    []RoleSpan
	Captured []Captured

	Summary, Impact, Factors, WentWell, WasHard []RetroNote
	Actions                                     []ActionItem

	// ImpactSites are the sites named by Affects or by captured
	// transitions; ImpactFor runs from detection to mitigation (or
	// resolution, or now while it lasts).
	ImpactSites []string
	ImpactFor   time.Duration
	Ongoing     bool // not resolved yet: the retro is a draft

	Care Care
}

// Care says who carried the incident, so the collective can see the work
// and share it better: not to rank anyone.
type Care struct {
	NoticedBy string    // who opened the incident
	NoticedAt time.Time // when
	LedBy     []string  // who held lead, in order
	People    []CareRow // everyone who did something, by first activity
	JournalBy []string  // who wrote journal notes (not status changes)
	RetroBy   []string  // who wrote the retro notes
}

// CareRow is one member's part in an incident.
type CareRow struct {
	Member      string
	TZ          string
	Roles       []RoleSpan
	Entries     int // journal entries written, status changes included
	First, Last time.Time
	// Night counts activities between 22:00 and 07:00 in the member's own
	// zone; OffCall those done while on call in no rotation; OnLeave those
	// done during one of the member's recorded leave periods.
	Night, OffCall, OnLeave int
}

// IsNight is the night rule of the care section: 22:00 to 07:00 local.
func IsNight(t time.Time, loc *time.Location) bool {
	h := t.In(loc).Hour()
	return h >= 22 || h < 7
}

// Retro assembles the retro of an incident (any status; before resolved
// it is a draft with Ongoing set).
func (s *SQLite) Retro(ctx context.Context, incidentID int64) (Retro, error) {
	inc, err := s.Incident(ctx, incidentID)
	if err != nil {
		return Retro{}, err
	}
	r := Retro{Incident: inc, Ongoing: inc.Status.IsOpen()}
	entries, err := s.Entries(ctx, incidentID)
	if err != nil {
		return Retro{}, err
	}
	if r.Roles, err = s.Roles(ctx, incidentID); err != nil {
		return Retro{}, err
	}
	if r.Captured, err = s.CapturedTransitions(ctx, incidentID); err != nil {
		return Retro{}, err
	}
	notes, err := s.RetroNotes(ctx, incidentID)
	if err != nil {
		return Retro{}, err
	}
	if r.Actions, err = s.Actions(ctx, ActionFilter{IncidentID: incidentID}); err != nil {
		return Retro{}, err
	}
	for _, n := range notes {
		switch n.Section {
		case SectionSummary:
			r.Summary = append(r.Summary, n)
		case SectionImpact:
			r.Impact = append(r.Impact, n)
		case SectionFactor:
			r.Factors = append(r.Factors, n)
		case SectionWentWell:
			r.WentWell = append(r.WentWell, n)
		case SectionWasHard:
			r.WasHard = append(r.WasHard, n)
		}
	}
	opened := TimelineItem{At: inc.OpenedAt, Who: inc.OpenedBy, Kind: string(KindStatus), Text: "opened"}
	r.Timeline = MergeTimeline(append([]Entry{}, entries...), r.Roles)
	r.Timeline = append([]TimelineItem{opened}, r.Timeline...)
	sort.SliceStable(r.Timeline, func(i, j int) bool { return r.Timeline[i].At.Before(r.Timeline[j].At) })
	r.Moments = moments(inc, entries, r.Captured)
	r.Phases = phases(r.Moments)
	r.ImpactSites = impactSites(inc, r.Captured)
	end := s.now()
	for _, m := range r.Moments {
		if m.Name == string(StatusMitigated) || m.Name == string(StatusResolved) {
			end = m.At
			break
		}
	}
	r.ImpactFor = end.Sub(inc.OpenedAt)
	if r.Care, err = s.care(ctx, inc, entries, r.Roles, notes); err != nil {
		return Retro{}, err
	}
	return r, nil
}

// MergeTimeline merges journal entries and role changes by time (entries
// before role changes at the same instant, each in written order).
func MergeTimeline(entries []Entry, roles []RoleSpan) []TimelineItem {
	out := make([]TimelineItem, 0, len(entries)+2*len(roles))
	for _, e := range entries {
		out = append(out, TimelineItem{At: e.At, Who: e.Author, Kind: string(e.Kind), Text: e.Text, EntryID: e.ID, Amends: e.Amends})
	}
	for _, rs := range roles {
		out = append(out, TimelineItem{At: rs.Taken, Who: rs.Member, Kind: "role", Text: "took " + string(rs.Role)})
		if !rs.Held() {
			out = append(out, TimelineItem{At: rs.Left, Who: rs.Member, Kind: "role", Text: "left " + string(rs.Role)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// statusTarget reads the new status from a status entry ("open → acknowledged").
func statusTarget(text string) string {
	_, to, ok := strings.Cut(text, "→")
	if !ok {
		return ""
	}
	return strings.TrimSpace(to)
}

func moments(inc Incident, entries []Entry, captured []Captured) []Moment {
	var out []Moment
	if len(captured) > 0 && captured[0].At.Before(inc.OpenedAt) {
		out = append(out, Moment{Name: MomentFirstSignal, At: captured[0].At})
	}
	out = append(out, Moment{Name: MomentDetected, At: inc.OpenedAt, By: inc.OpenedBy})
	for _, e := range entries {
		if e.Kind == KindStatus {
			if to := statusTarget(e.Text); to != "" {
				out = append(out, Moment{Name: to, At: e.At, By: e.Author})
			}
		}
	}
	return out
}

func phases(ms []Moment) []Phase {
	var out []Phase
	var prev *Moment
	var detected, resolved *Moment
	for i := range ms {
		m := &ms[i]
		if m.Name == MomentFirstSignal || m.Name == string(StatusReviewed) {
			continue
		}
		if m.Name == MomentDetected {
			detected = m
		}
		if m.Name == string(StatusResolved) {
			resolved = m
		}
		if prev != nil {
			out = append(out, Phase{From: prev.Name, To: m.Name, D: m.At.Sub(prev.At)})
		}
		prev = m
	}
	if detected != nil && resolved != nil && len(out) > 1 {
		out = append(out, Phase{From: detected.Name, To: resolved.Name, D: resolved.At.Sub(detected.At)})
	}
	return out
}

func impactSites(inc Incident, captured []Captured) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, a := range inc.Affects {
		if site, ok := strings.CutPrefix(a, "site/"); ok {
			add(site)
		}
	}
	for _, c := range captured {
		add(c.Site)
	}
	sort.Strings(out)
	return out
}

func (s *SQLite) care(ctx context.Context, inc Incident, entries []Entry, roles []RoleSpan, notes []RetroNote) (Care, error) {
	c := Care{NoticedBy: inc.OpenedBy, NoticedAt: inc.OpenedAt}
	rows := map[string]*CareRow{}
	var order []string
	row := func(h string) *CareRow {
		if r, ok := rows[h]; ok {
			return r
		}
		r := &CareRow{Member: h}
		rows[h] = r
		order = append(order, h)
		return r
	}
	type act struct {
		who string
		at  time.Time
	}
	acts := []act{{inc.OpenedBy, inc.OpenedAt}}
	row(inc.OpenedBy)
	journal := map[string]bool{}
	for _, e := range entries {
		if e.Author == "" {
			continue
		}
		row(e.Author).Entries++
		acts = append(acts, act{e.Author, e.At})
		if e.Kind != KindStatus && !journal[e.Author] {
			journal[e.Author] = true
			c.JournalBy = append(c.JournalBy, e.Author)
		}
	}
	for _, rs := range roles {
		r := row(rs.Member)
		r.Roles = append(r.Roles, rs)
		acts = append(acts, act{rs.Member, rs.Taken})
		if rs.Role == RoleLead && (len(c.LedBy) == 0 || c.LedBy[len(c.LedBy)-1] != rs.Member) {
			c.LedBy = append(c.LedBy, rs.Member)
		}
	}
	retro := map[string]bool{}
	for _, n := range notes {
		if !retro[n.Author] {
			retro[n.Author] = true
			c.RetroBy = append(c.RetroBy, n.Author)
		}
	}
	tz := map[string]*time.Location{}
	onCall := map[time.Time]map[string]bool{}
	var leaves []Leave
	if len(acts) > 0 {
		from, to := acts[0].at, acts[0].at
		for _, a := range acts {
			from, to = minTime(from, a.at), maxTime(to, a.at)
		}
		var err error
		if leaves, err = s.Leaves(ctx, from, to.Add(time.Nanosecond)); err != nil {
			return Care{}, fmt.Errorf("care: %w", err)
		}
	}
	for _, a := range acts {
		r := row(a.who)
		if r.First.IsZero() || a.at.Before(r.First) {
			r.First = a.at
		}
		if a.at.After(r.Last) {
			r.Last = a.at
		}
		loc, ok := tz[a.who]
		if !ok {
			loc = time.UTC
			if m, err := s.Member(ctx, a.who); err == nil {
				r.TZ = m.TZ
				if l, err := loadLocation(m.TZ); err == nil {
					loc = l
				}
			}
			tz[a.who] = loc
		}
		if IsNight(a.at, loc) {
			r.Night++
		}
		// OnCallAt, not the bare rotations: it is where overrides and
		// swaps are taken into account.
		who, ok := onCall[a.at]
		if !ok {
			ocs, err := s.OnCallAt(ctx, a.at)
			if err != nil {
				return Care{}, fmt.Errorf("care: %w", err)
			}
			who = map[string]bool{}
			for _, oc := range ocs {
				if oc.HasNow {
					who[oc.Now.Member] = true
				}
			}
			onCall[a.at] = who
		}
		if !who[a.who] {
			r.OffCall++
		}
		for _, l := range leaves {
			if l.Member == a.who && !a.at.Before(l.Start) && a.at.Before(l.End) {
				r.OnLeave++
				break
			}
		}
	}
	for _, h := range order {
		c.People = append(c.People, *rows[h])
	}
	sort.SliceStable(c.People, func(i, j int) bool { return c.People[i].First.Before(c.People[j].First) })
	return c, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
