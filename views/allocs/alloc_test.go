package allocs

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"codeberg.org/entretien/entretien/internal/fixture"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/theme"
)

// eventLines are the section title and the rows of the task events table
// (without its header), or the line saying none matches.
func eventLines(t *testing.T, m *Model) (title string, rows []string) {
	t.Helper()
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "Recent task events") {
			for _, r := range lines[i+1:] {
				if strings.TrimSpace(r) != "" && !strings.HasPrefix(r, "WHEN") {
					rows = append(rows, strings.TrimSpace(r))
				}
			}
			return l, rows
		}
	}
	t.Fatalf("no task events section:\n%s", strings.Join(lines, "\n"))
	return "", nil
}

func TestFilterNarrowsTaskEvents(t *testing.T) {
	snap := fixture.Snapshot()
	ctx := &common.Context{Styles: theme.New(true), Now: func() time.Time { return fixture.Now }, Width: 120, Height: 24, Cluster: fixture.NewCluster(snap)}
	m := New(ctx, fixture.BackupAlloc2)
	fetch := m.Init()
	m.Update(common.SnapshotMsg{Snap: snap})
	m.Update(fetch())
	var _ common.Filterable = m

	title, rows := eventLines(t, m)
	if len(rows) != 4 || strings.Contains(title, "filter") {
		t.Fatalf("unfiltered: %q, %d rows: %q", title, len(rows), rows)
	}
	// Task, type and message are searched, case-insensitively.
	m.SetFilter(" RESTART")
	title, rows = eventLines(t, m)
	if !strings.Contains(title, "filter: RESTART · 2 of 4") {
		t.Errorf("title %q", title)
	}
	if len(rows) != 2 || !strings.Contains(rows[0], "Not Restarting") || !strings.Contains(rows[1], "Task restarting in 3s") {
		t.Errorf("filtered rows %q", rows)
	}
	m.SetFilter("exit code")
	if _, rows = eventLines(t, m); len(rows) != 1 || !strings.Contains(rows[0], "Terminated") {
		t.Errorf("message filter rows %q", rows)
	}
	m.SetFilter("zzz")
	if title, rows = eventLines(t, m); !strings.Contains(title, "0 of 4") || len(rows) != 1 || !strings.Contains(rows[0], "esc clears the filter") {
		t.Errorf("no match: %q %q", title, rows)
	}
	// The task list above is not filtered: enter still opens its logs.
	if r, ok := m.tasks.Selected(); !ok || r.ID != "backup" {
		t.Errorf("task under the cursor %q, %v", r.ID, ok)
	}
	m.SetFilter("")
	if title, rows = eventLines(t, m); len(rows) != 4 || strings.Contains(title, "filter") {
		t.Errorf("cleared: %q %q", title, rows)
	}
}

// An allocation opened while pending is read again once the snapshot says
// it changed: its status, tasks and events follow it to running.
func TestDetailFollowsTheAllocation(t *testing.T) {
	snap := fixture.Snapshot()
	var pending sources.Snapshot = *snap
	pending.Nomad.Allocs = slices.Clone(snap.Nomad.Allocs)
	i := slices.IndexFunc(pending.Nomad.Allocs, func(a sources.Alloc) bool { return a.ID == fixture.GuichetAlloc })
	running := pending.Nomad.Allocs[i]
	pa := running
	pa.ClientStatus, pa.Tasks, pa.ModifyIndex = "pending", nil, running.ModifyIndex-1
	pending.Nomad.Allocs[i] = pa

	cl := fixture.NewCluster(&pending)
	ctx := &common.Context{Styles: theme.New(true), Now: func() time.Time { return fixture.Now }, Width: 120, Height: 24, Cluster: cl}
	m := New(ctx, fixture.GuichetAlloc)
	fetch := m.Init()
	m.Update(common.SnapshotMsg{Snap: &pending})
	m.Update(fetch())
	if v := ansi.Strip(m.View()); !strings.Contains(v, "pending") {
		t.Fatalf("opened pending, screen:\n%s", v)
	}

	cl.Snap = snap // Nomad now says running
	_, cmd := m.Update(common.SnapshotMsg{Snap: snap})
	for _, msg := range runAll(cmd) {
		m.Update(msg)
	}
	if v := ansi.Strip(m.View()); strings.Contains(v, "pending") || !strings.Contains(v, "running") {
		t.Errorf("after the snapshot moved to running, screen:\n%s", v)
	}
}

// runAll runs cmd and the commands of any batch it returns.
func runAll(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runAll(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}
