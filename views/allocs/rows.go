package allocs

import (
	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
)

// RowActions are the allocation keys of a list whose rows are allocations
// (a job's, a node's): restart it whole, or stop it, as on its own screen.
func RowActions(s *common.ListScreen) []common.Action {
	k := common.DefaultActionKeys()
	ns := func(r common.Row) string {
		if a, ok := r.Data.(sources.Alloc); ok {
			return a.Namespace
		}
		return ""
	}
	act := func(kind common.ActionKind, verb, tail string) func(common.Row, bool) tea.Cmd {
		return func(r common.Row, ok bool) tea.Cmd {
			a, isAlloc := r.Data.(sources.Alloc)
			if !ok || !isAlloc {
				return nil
			}
			return s.Prompt.Confirm(kind, a.Namespace, func() (common.Pending, error) {
				return common.Pending{What: verb + " allocation " + common.ShortID(a.ID) + " of " + a.JobID + common.OnSite(a.Site) + tail,
					Touches: common.AllocTouches(s.Snapshot(), a),
					Act:     common.Act{Kind: kind, Namespace: a.Namespace, JobID: a.JobID, AllocID: a.ID}}, nil
			})
		}
	}
	return []common.Action{
		{Binding: k.RestartAll, Kind: common.RestartAlloc, NS: ns, Run: act(common.RestartAlloc, "restart", "")},
		{Binding: k.Stop, Kind: common.StopAlloc, NS: ns, Run: act(common.StopAlloc, "stop", " (Nomad reschedules it)")},
	}
}
