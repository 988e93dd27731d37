package oncall

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"
)

// sortedTimeline is the timeline as a stable sort of everything puts it:
// the opening, the entries, then each role's taking and leaving.
func sortedTimeline(inc Incident, entries []Entry, roles []RoleSpan) []TimelineItem {
	out := []TimelineItem{{At: inc.OpenedAt, Who: inc.OpenedBy, Kind: string(KindStatus), Text: "opened"}}
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

// The merge gives what the stable sort gives, ties and unsorted input
// included, and leaves its input as it was.
func TestIncidentTimelineIsTheStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 2026))
	t0 := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
	at := func() time.Time { return t0.Add(time.Duration(r.IntN(40)) * time.Minute) }
	for round := range 500 {
		inc := Incident{OpenedAt: at(), OpenedBy: "lucas"}
		var entries []Entry
		for i := range r.IntN(60) {
			entries = append(entries, Entry{ID: int64(i + 1), At: at(), Author: "chloe", Kind: KindObservation, Text: strconv.Itoa(i)})
		}
		if round%3 != 0 { // mostly as the store gives them: by time then ID
			sort.SliceStable(entries, func(i, j int) bool { return entries[i].At.Before(entries[j].At) })
		}
		var roles []RoleSpan
		for i := range r.IntN(6) {
			rs := RoleSpan{ID: int64(i), Member: "dara", Role: RoleHelper, Taken: at()}
			if r.IntN(3) > 0 {
				rs.Left = rs.Taken.Add(time.Duration(r.IntN(30)) * time.Minute)
			}
			roles = append(roles, rs)
		}
		was := slices.Clone(entries)
		want := sortedTimeline(inc, entries, roles)
		if got := IncidentTimeline(inc, entries, roles); !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d:\ngot  %+v\nwant %+v", round, got, want)
		}
		if !reflect.DeepEqual(entries, was) {
			t.Fatalf("round %d: the entries were reordered", round)
		}
		// MergeTimeline is the same without the opening.
		noOpening := sortedTimeline(Incident{OpenedAt: t0.Add(-time.Hour)}, entries, roles)[1:]
		if got := MergeTimeline(entries, roles); !reflect.DeepEqual(got, noOpening) {
			t.Fatalf("round %d, MergeTimeline:\ngot  %+v\nwant %+v", round, got, noOpening)
		}
	}
}
