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
		rows := make([]common.Row, 0, len(snap.Nomad.Jobs))
		for _, j := range snap.Nomad.Jobs {
			status := j.State()
			ss := snap.SitesOfJob(j.Namespace, j.ID)
			rows = append(rows, common.Row{ID: j.Namespace + "/" + j.ID, Sites: ss, Data: j, Cells: []common.Spec{
				{Text: Label(snap, j.Namespace, j.ID), Kind: common.Bold}, {Text: j.Type, Kind: common.Muted}, common.StatusSpec(status),
				{Text: strings.Join(ss, " ")},
				common.Counts([]common.Count{{N: j.Running, Word: "running"}, {N: j.Starting, Word: "pending"}, {N: j.Failed, Word: "failed"}, {N: j.Lost, Word: "lost"}, {N: j.Queued, Word: "queued"}}),
				{Text: fmt.Sprintf("v%d", j.Version), Kind: common.Muted},
			}})
		}
		return rows
	}
	s.Open = func(r common.Row) tea.Cmd {
		j := r.Data.(sources.Job)
		return common.Push(NewAllocsIn(ctx, j.Namespace, j.ID))
	}
	s.Actions = []common.Action{forceAction(s)}
	return s
}

// forceAction is t on a job: launch its periodic job now (Nomad's
// "periodic force").
func forceAction(s *common.ListScreen) common.Action {
	return common.Action{Binding: common.DefaultActionKeys().Force, Kind: common.ForcePeriodic,
		NS: func(r common.Row) string {
			if j, ok := r.Data.(sources.Job); ok {
				return j.Namespace
			}
			return ""
		},
		Run: func(r common.Row, ok bool) tea.Cmd {
			if !ok {
				return nil
			}
			j := r.Data.(sources.Job)
			return s.Prompt.Confirm(common.ForcePeriodic, j.Namespace, func() (common.Pending, error) {
				if j.Type != "batch" && j.Type != "sysbatch" {
					return common.Pending{}, fmt.Errorf("job %s is a %s job: only a periodic (batch) job can be forced to run", j.ID, j.Type)
				}
				t := []string{"job/" + j.ID}
				for _, site := range s.Snapshot().SitesOfJob(j.Namespace, j.ID) {
					t = append(t, "site/"+site)
				}
				return common.Pending{What: "force a run of periodic job " + j.ID + common.OnSite(strings.Join(j.Datacenters, ", ")), Touches: t,
					Act: common.Act{Kind: common.ForcePeriodic, Namespace: j.Namespace, JobID: j.ID}}, nil
			})
		}}
}

// Label names a job: its ID, prefixed by its namespace ("ops/backup")
// when the snapshot holds jobs of several namespaces (NOMAD_NAMESPACE=*).
func Label(snap *sources.Snapshot, ns, id string) string {
	if ns != "" && len(snap.Namespaces()) > 1 {
		return ns + "/" + id
	}
	return id
}

// NewAllocs is job jobID of the first namespace holding one (see
// NewAllocsIn).
func NewAllocs(ctx *common.Context, jobID string) *common.ListScreen {
	return NewAllocsIn(ctx, "", jobID)
}

// NewAllocsIn is job jobID of namespace ns ("": the first namespace
// holding one): its state, deployment and blocked evaluations, and its
// allocations.
func NewAllocsIn(ctx *common.Context, ns, jobID string) *common.ListScreen {
	// resolve names the namespace when the caller did not.
	resolve := func(snap *sources.Snapshot) string {
		if ns != "" {
			return ns
		}
		if j, ok := snap.JobByID(jobID); ok {
			return j.Namespace
		}
		return "default"
	}
	name := jobID
	if ns != "" && ns != "default" {
		name = ns + "/" + jobID
	}
	s := common.NewListScreen(ctx, "job "+sanitize.Line(name),
		common.Col{Title: "ALLOC", Min: 8}, common.Col{Title: "GROUP", Min: 5}, common.Col{Title: "SITE", Min: 4},
		common.Col{Title: "NODE", Min: 4}, common.Col{Title: "STATUS", Min: 7}, common.Col{Title: "DESIRED", Min: 7},
		common.Col{Title: "RESTARTS", Min: 8}, common.Col{Title: "VER", Min: 3}, common.Col{Title: "AGE", Min: 4, Flex: true})
	s.Empty = "no allocation of this job"
	s.OpenHelp = "open allocation"
	s.Build = func(snap *sources.Snapshot) []common.Row {
		now := ctx.Now()
		as := snap.AllocsOfJobIn(resolve(snap), jobID)
		rows := make([]common.Row, 0, len(as))
		for _, a := range as {
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
	s.Head = func(snap *sources.Snapshot, width int) string { return jobHead(ctx, snap, resolve(snap), jobID) }
	s.Open = func(r common.Row) tea.Cmd { return common.Push(allocs.New(ctx, r.ID)) }
	s.Actions = allocs.RowActions(s)
	return s
}

func jobHead(ctx *common.Context, snap *sources.Snapshot, ns, jobID string) string {
	st := ctx.Styles
	j, ok := snap.JobIn(ns, jobID)
	if !ok {
		return st.Warn.Render("job " + sanitize.Line(Label(snap, ns, jobID)) + " is not known to Nomad")
	}
	status := j.State()
	l1 := st.Bold.Render(sanitize.Line(Label(snap, j.Namespace, j.ID))) + "  " + st.ForStatus(status).Render(status) +
		st.Muted.Render(fmt.Sprintf("  %s · v%d · datacenters ", j.Type, j.Version)) + sanitize.Line(strings.Join(j.Datacenters, " "))
	if j.StatusDescription != "" {
		l1 += st.Muted.Render("  " + sanitize.Line(j.StatusDescription))
	}
	lines := []string{l1}
	if ds := snap.DeploymentsOfJobIn(ns, jobID); len(ds) > 0 {
		d := ds[0] // newest only
		healthy, desired := d.Progress()
		lines = append(lines, st.Muted.Render(fmt.Sprintf("deployment v%d ", d.JobVersion))+st.ForStatus(d.Status).Render(d.Status)+
			st.Muted.Render(fmt.Sprintf(" %d/%d healthy  ", healthy, desired)+sanitize.Line(d.StatusDescription)))
	}
	for _, e := range snap.BlockedEvalsOfJob(ns, jobID) {
		lines = append(lines, st.Warn.Render(fmt.Sprintf("blocked: %d allocation(s) cannot be placed", e.Queued))+
			st.Muted.Render("  "+sanitize.Line(e.Reason)))
	}
	return strings.Join(lines, "\n")
}
