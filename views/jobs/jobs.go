// Package jobs lists the Nomad jobs and, for one job, its allocations
// (enter opens an allocation).
package jobs

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/allocs"
	"codeberg.org/entretien/entretien/views/common"
)

// New is the jobs screen.
func New(ctx *common.Context) *common.ListScreen {
	s := common.NewListScreen(ctx, "jobs",
		common.Col{Title: "JOB", Min: 6}, common.Col{Title: "TYPE", Min: 7}, common.Col{Title: "STATUS", Min: 7},
		common.Col{Title: "SITES", Min: 6}, common.Col{Title: "ALLOCATIONS", Min: 12, Flex: true}, common.Col{Title: "VERSION", Min: 7})
	s.Empty = "no jobs"
	s.OpenHelp = "open job"
	s.Build = func(snap *sources.Snapshot) []common.Row {
		sites := jobSites(snap)
		rows := make([]common.Row, 0, len(snap.Nomad.Jobs))
		for _, j := range snap.Nomad.Jobs {
			status := j.Status
			if j.Stop {
				status = "stopped"
			}
			ss := sites[j.ID]
			rows = append(rows, common.Row{ID: j.ID, Sites: ss, Data: j, Cells: []common.Spec{
				{Text: j.ID, Kind: common.Bold}, {Text: j.Type, Kind: common.Muted}, common.StatusSpec(status),
				{Text: strings.Join(ss, " ")},
				common.Counts([]common.Count{{N: j.Running, Word: "running"}, {N: j.Starting, Word: "pending"}, {N: j.Failed, Word: "failed"}, {N: j.Lost, Word: "lost"}, {N: j.Queued, Word: "queued"}}),
				{Text: fmt.Sprintf("v%d", j.Version), Kind: common.Muted},
			}})
		}
		return rows
	}
	s.Open = func(r common.Row) tea.Cmd { return common.Push(NewAllocs(ctx, r.ID)) }
	return s
}

// jobSites is where each job has allocations, else its datacenters.
func jobSites(snap *sources.Snapshot) map[string][]string {
	m := map[string][]string{}
	for _, a := range snap.Nomad.Allocs {
		if !slices.Contains(m[a.JobID], a.Site) {
			m[a.JobID] = append(m[a.JobID], a.Site)
		}
	}
	for _, j := range snap.Nomad.Jobs {
		if len(m[j.ID]) == 0 {
			m[j.ID] = slices.Clone(j.Datacenters)
		}
		slices.Sort(m[j.ID])
	}
	return m
}

// NewAllocs is one job: its state, deployment and blocked evaluations, and
// its allocations.
func NewAllocs(ctx *common.Context, jobID string) *common.ListScreen {
	s := common.NewListScreen(ctx, "job "+sanitize.Line(jobID),
		common.Col{Title: "ALLOC", Min: 8}, common.Col{Title: "GROUP", Min: 5}, common.Col{Title: "SITE", Min: 4},
		common.Col{Title: "NODE", Min: 4}, common.Col{Title: "STATUS", Min: 7}, common.Col{Title: "DESIRED", Min: 7},
		common.Col{Title: "RESTARTS", Min: 8}, common.Col{Title: "VER", Min: 3}, common.Col{Title: "AGE", Min: 4, Flex: true})
	s.Empty = "no allocation of this job"
	s.OpenHelp = "open allocation"
	s.Build = func(snap *sources.Snapshot) []common.Row {
		now := ctx.Now()
		var rows []common.Row
		for _, a := range snap.Nomad.Allocs {
			if a.JobID != jobID {
				continue
			}
			restarts := common.Spec{Text: fmt.Sprint(a.Restarts)}
			if a.Restarts > 0 {
				restarts.Kind = common.Warn
			}
			rows = append(rows, common.Row{ID: a.ID, Sites: common.Sites(a.Site), Data: a, Cells: []common.Spec{
				{Text: common.ShortID(a.ID), Kind: common.Muted}, {Text: a.TaskGroup}, {Text: common.SiteLabel(a.Site)},
				{Text: a.NodeName}, common.StatusSpec(a.ClientStatus), {Text: a.DesiredStatus, Kind: common.Muted},
				restarts, {Text: fmt.Sprint(a.JobVersion), Kind: common.Muted}, {Text: common.Since(now, a.CreateTime), Kind: common.Muted},
			}})
		}
		// Newest first: the current allocations before the failed history.
		slices.SortStableFunc(rows, func(a, b common.Row) int {
			return b.Data.(sources.Alloc).CreateTime.Compare(a.Data.(sources.Alloc).CreateTime)
		})
		return rows
	}
	s.Head = func(snap *sources.Snapshot, width int) string { return jobHead(ctx, snap, jobID) }
	s.Open = func(r common.Row) tea.Cmd { return common.Push(allocs.New(ctx, r.ID)) }
	return s
}

func jobHead(ctx *common.Context, snap *sources.Snapshot, jobID string) string {
	st := ctx.Styles
	var j *sources.Job
	for i := range snap.Nomad.Jobs {
		if snap.Nomad.Jobs[i].ID == jobID {
			j = &snap.Nomad.Jobs[i]
		}
	}
	if j == nil {
		return st.Warn.Render("job " + sanitize.Line(jobID) + " is not known to Nomad")
	}
	status := j.Status
	if j.Stop {
		status = "stopped"
	}
	l1 := st.Bold.Render(sanitize.Line(j.ID)) + "  " + st.ForStatus(status).Render(status) +
		st.Muted.Render(fmt.Sprintf("  %s · v%d · datacenters ", j.Type, j.Version)) + sanitize.Line(strings.Join(j.Datacenters, " "))
	if j.StatusDescription != "" {
		l1 += st.Muted.Render("  " + sanitize.Line(j.StatusDescription))
	}
	lines := []string{l1}
	for _, d := range snap.Nomad.Deployments {
		if d.JobID == jobID {
			healthy, desired := d.Progress()
			lines = append(lines, st.Muted.Render(fmt.Sprintf("deployment v%d ", d.JobVersion))+st.ForStatus(d.Status).Render(d.Status)+
				st.Muted.Render(fmt.Sprintf(" %d/%d healthy  ", healthy, desired)+sanitize.Line(d.StatusDescription)))
			break // newest only
		}
	}
	for _, e := range snap.Nomad.BlockedEvals {
		if e.JobID == jobID {
			lines = append(lines, st.Warn.Render(fmt.Sprintf("blocked: %d allocation(s) cannot be placed", e.Queued))+
				st.Muted.Render("  "+sanitize.Line(e.Reason)))
		}
	}
	return strings.Join(lines, "\n")
}
