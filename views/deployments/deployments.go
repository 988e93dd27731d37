// Package deployments shows what is rolling out and what cannot be
// placed: Nomad's deployments and its blocked evaluations, and why.
package deployments

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/jobs"
)

// New is the deployments screen: blocked evaluations first (allocations
// waiting for a place), then deployments, active ones first.
func New(ctx *common.Context) *common.ListScreen {
	s := common.NewListScreen(ctx, "deploys",
		common.Col{Title: "WHAT", Min: 10}, common.Col{Title: "JOB", Min: 6}, common.Col{Title: "STATUS", Min: 8},
		common.Col{Title: "PROGRESS", Min: 8}, common.Col{Title: "WHY", Min: 10, Flex: true})
	s.Empty = "no deployment and no blocked evaluation"
	s.OpenHelp = "open job"
	s.Build = func(snap *sources.Snapshot) []common.Row {
		var rows []common.Row
		for _, e := range snap.Nomad.BlockedEvals {
			rows = append(rows, common.Row{ID: "eval/" + e.ID, Sites: snap.SitesOfJob(e.Namespace, e.JobID), Data: e, Cells: []common.Spec{
				{Text: "blocked eval", Kind: common.Warn}, {Text: jobs.Label(snap, e.Namespace, e.JobID), Kind: common.Bold}, common.StatusSpec("blocked"),
				{Text: fmt.Sprintf("%d queued", e.Queued), Kind: common.Warn}, {Text: e.Reason},
			}})
		}
		var active, done []common.Row
		for _, d := range snap.Nomad.Deployments {
			healthy, desired := d.Progress()
			r := common.Row{ID: "deploy/" + d.ID, Sites: snap.SitesOfJob(d.Namespace, d.JobID), Data: d, Cells: []common.Spec{
				{Text: fmt.Sprintf("deploy v%d", d.JobVersion), Kind: common.Muted}, {Text: jobs.Label(snap, d.Namespace, d.JobID), Kind: common.Bold},
				common.StatusSpec(d.Status), {Text: fmt.Sprintf("%d/%d healthy", healthy, desired)}, {Text: d.StatusDescription, Kind: common.Muted},
			}}
			if d.Active() {
				active = append(active, r)
			} else {
				done = append(done, r)
			}
		}
		return append(append(rows, active...), done...)
	}
	s.Open = func(r common.Row) tea.Cmd {
		switch d := r.Data.(type) {
		case sources.BlockedEval:
			return common.Push(jobs.NewAllocsIn(ctx, d.Namespace, d.JobID))
		case sources.Deployment:
			return common.Push(jobs.NewAllocsIn(ctx, d.Namespace, d.JobID))
		}
		return nil
	}
	return s
}
