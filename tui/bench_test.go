package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/fixture"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
	"codeberg.org/entretien/entretien/views/jobs"
)

// benchModel is the root on a big cluster (10k allocations, 2k services
// with 3 instances each, 500 nodes) in a 200x50 terminal, with the first
// frame drawn.
func benchModel(b *testing.B) (*Model, *staticSource) {
	b.Helper()
	snap := fixture.Big(10000, 2000, 500)
	src := newStaticSource(snap)
	m := New(Options{Source: src, Now: func() time.Time { return fixture.Now }, Cluster: fixture.NewCluster(snap)})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	m.Update(updateMsg{})
	m.View()
	return m, src
}

// BenchmarkFrame draws a full frame of each top-level cluster screen:
// steady (rows built) and right after a new snapshot (rows rebuilt from
// 10k allocations). Goal: ≤ 16 ms each.
func BenchmarkFrame(b *testing.B) {
	for _, tab := range []struct {
		name string
		key  string
	}{{"outages", "1"}, {"nodes", "3"}, {"jobs", "4"}, {"services", "5"}, {"deploys", "6"}} {
		b.Run(tab.name+"/steady", func(b *testing.B) {
			m, _ := benchModel(b)
			m.Update(tea.KeyPressMsg{Code: rune(tab.key[0]), Text: tab.key})
			m.View()
			for b.Loop() {
				m.View()
			}
		})
		b.Run(tab.name+"/new-snapshot", func(b *testing.B) {
			m, src := benchModel(b)
			m.Update(tea.KeyPressMsg{Code: rune(tab.key[0]), Text: tab.key})
			m.View()
			for b.Loop() {
				s := *src.snap // a new snapshot value, same data
				src.snap = &s
				m.Update(updateMsg{})
				m.View()
			}
		})
	}
	b.Run("job-with-10k-allocs/new-snapshot", func(b *testing.B) {
		m, src := benchModel(b)
		src.snap = oneBigJob(src.snap)
		m.Update(updateMsg{})
		m.Update(common.PushMsg{Screen: jobs.NewAllocs(m.ctx, "big")})
		m.View()
		for b.Loop() {
			s := *src.snap
			src.snap = &s
			m.Update(updateMsg{})
			m.View()
		}
	})
}

// oneBigJob gives every allocation to one job "big".
func oneBigJob(s *sources.Snapshot) *sources.Snapshot {
	c := *s
	c.Nomad.Allocs = make([]sources.Alloc, len(s.Nomad.Allocs))
	copy(c.Nomad.Allocs, s.Nomad.Allocs)
	for i := range c.Nomad.Allocs {
		c.Nomad.Allocs[i].JobID = "big"
	}
	c.Nomad.Jobs = append(c.Nomad.Jobs, sources.Job{ID: "big", Type: "service", Status: "running"})
	return &c
}

// BenchmarkFilterKeystroke types one more character of a `/` filter (and
// takes it back) on the 10k-allocation list and on the 6k instances of the
// services screen, frame included. Goal: ≤ 16 ms.
func BenchmarkFilterKeystroke(b *testing.B) {
	run := func(b *testing.B, m *Model) {
		m.Update(tea.KeyPressMsg{Code: '/', Text: "/"})
		m.Update(tea.KeyPressMsg{Code: 'a', Text: "a"})
		m.View()
		i := 0
		for b.Loop() {
			if i%2 == 0 {
				m.Update(tea.KeyPressMsg{Code: '1', Text: "1"})
			} else {
				m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
			}
			i++
			m.View()
		}
	}
	b.Run("job-with-10k-allocs", func(b *testing.B) {
		m, src := benchModel(b)
		src.snap = oneBigJob(src.snap)
		m.Update(updateMsg{})
		m.Update(common.PushMsg{Screen: jobs.NewAllocs(m.ctx, "big")})
		m.View()
		run(b, m)
	})
	b.Run("services", func(b *testing.B) {
		m, _ := benchModel(b)
		m.Update(tea.KeyPressMsg{Code: '5', Text: "5"})
		m.View()
		run(b, m)
	})
}
