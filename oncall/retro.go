package oncall

import (
	"slices"
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

// MergeTimeline merges journal entries and role changes by time (entries
// before role changes at the same instant, each in written order).
func MergeTimeline(entries []Entry, roles []RoleSpan) []TimelineItem {
	return mergeTimeline(nil, entries, roles)
}

// IncidentTimeline is the retro's timeline: the opening, then what
// MergeTimeline gives, by time (the opening first of its instant).
func IncidentTimeline(inc Incident, entries []Entry, roles []RoleSpan) []TimelineItem {
	opened := TimelineItem{At: inc.OpenedAt, Who: inc.OpenedBy, Kind: string(KindStatus), Text: "opened"}
	return mergeTimeline([]TimelineItem{opened}, entries, roles)
}

// mergeTimeline is the stable sort by time of head, entries and role
// changes, in that order, done as a merge: the journal comes by time from
// the store, and sorting its 100k items again made a retro take seconds.
func mergeTimeline(head []TimelineItem, entries []Entry, roles []RoleSpan) []TimelineItem {
	head = slices.Clone(head)
	sortByTime(head)
	if !slices.IsSortedFunc(entries, func(a, b Entry) int { return a.At.Compare(b.At) }) {
		entries = slices.Clone(entries)
		slices.SortStableFunc(entries, func(a, b Entry) int { return a.At.Compare(b.At) })
	}
	rs := make([]TimelineItem, 0, 2*len(roles))
	for _, r := range roles {
		rs = append(rs, TimelineItem{At: r.Taken, Who: r.Member, Kind: "role", Text: "took " + string(r.Role)})
		if !r.Held() {
			rs = append(rs, TimelineItem{At: r.Left, Who: r.Member, Kind: "role", Text: "left " + string(r.Role)})
		}
	}
	sortByTime(rs)
	out := make([]TimelineItem, 0, len(head)+len(entries)+len(rs))
	i, j, k := 0, 0, 0
	for i < len(head) || j < len(entries) || k < len(rs) {
		// The earliest next item; at the same instant the head's, then the
		// entry's, then the role change's.
		switch {
		case i < len(head) && (j == len(entries) || !entries[j].At.Before(head[i].At)) && (k == len(rs) || !rs[k].At.Before(head[i].At)):
			out = append(out, head[i])
			i++
		case j < len(entries) && (k == len(rs) || !rs[k].At.Before(entries[j].At)):
			e := entries[j]
			out = append(out, TimelineItem{At: e.At, Who: e.Author, Kind: string(e.Kind), Text: e.Text, EntryID: e.ID, Amends: e.Amends})
			j++
		default:
			out = append(out, rs[k])
			k++
		}
	}
	return out
}

func sortByTime(items []TimelineItem) {
	byTime := func(a, b TimelineItem) int { return a.At.Compare(b.At) }
	if !slices.IsSortedFunc(items, byTime) {
		slices.SortStableFunc(items, byTime)
	}
}

func Moments(inc Incident, entries []Entry, captured []Captured) []Moment {
	var out []Moment
	if len(captured) > 0 && captured[0].At.Before(inc.OpenedAt) {
		out = append(out, Moment{Name: MomentFirstSignal, At: captured[0].At})
	}
	out = append(out, Moment{Name: MomentDetected, At: inc.OpenedAt, By: inc.OpenedBy})
	for _, e := range entries {
		if e.Kind == KindStatus {
			if to := string(e.To); to != "" {
				out = append(out, Moment{Name: to, At: e.At, By: e.Author})
			}
		}
	}
	return out
}

func Phases(ms []Moment) []Phase {
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

func ImpactSites(inc Incident, captured []Captured) []string {
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
