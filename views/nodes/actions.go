package nodes

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/sources"
	"codeberg.org/entretien/entretien/views/common"
)

// actions are the node's keys: drain (with a typed deadline) or undrain,
// and eligibility, on the node nodeOf finds for the selected row.
func actions(s *common.ListScreen, nodeOf func(r common.Row, ok bool) (sources.Node, bool)) []common.Action {
	k := common.DefaultActionKeys()
	return []common.Action{
		{Binding: k.Drain, Kind: common.DrainNode, Run: func(r common.Row, ok bool) tea.Cmd {
			n, ok := nodeOf(r, ok)
			if !ok {
				return nil
			}
			touches := common.NodeTouches(s.Snapshot(), n)
			name := "node " + n.Name + common.OnSite(n.Site)
			if n.Drain {
				return s.Prompt.Confirm(common.UndrainNode, "", func() (common.Pending, error) {
					return common.Pending{What: "undrain " + name, Touches: touches,
						Act: common.Act{Kind: common.UndrainNode, NodeID: n.ID}}, nil
				})
			}
			return s.Prompt.Ask(common.DrainNode, "", "drain "+name+", deadline", "1h", func(text string) (common.Pending, error) {
				d, err := ParseDeadline(text)
				if err != nil {
					return common.Pending{}, err
				}
				return common.Pending{What: "drain " + name + " with a deadline of " + d.String(), Touches: touches,
					Act: common.Act{Kind: common.DrainNode, NodeID: n.ID, Deadline: d}}, nil
			})
		}},
		{Binding: k.Eligibility, Kind: common.NodeIneligible, Run: func(r common.Row, ok bool) tea.Cmd {
			n, ok := nodeOf(r, ok)
			if !ok {
				return nil
			}
			kind, what := common.NodeIneligible, "mark node "+n.Name+common.OnSite(n.Site)+" ineligible (no new allocations)"
			if !n.Eligible {
				kind, what = common.NodeEligible, "mark node "+n.Name+common.OnSite(n.Site)+" eligible"
			}
			touches := common.NodeTouches(s.Snapshot(), n)
			return s.Prompt.Confirm(kind, "", func() (common.Pending, error) {
				return common.Pending{What: what, Touches: touches, Act: common.Act{Kind: kind, NodeID: n.ID}}, nil
			})
		}},
	}
}

// ParseDeadline reads a drain deadline as a member types it ("1h",
// "30m", "1h30m"): a duration after now, never zero or negative.
func ParseDeadline(text string) (time.Duration, error) {
	text = strings.TrimSpace(text)
	d, err := time.ParseDuration(text)
	switch {
	case text == "":
		return 0, fmt.Errorf("type a deadline: 1h, 30m, 2h30m")
	case err != nil:
		return 0, fmt.Errorf("deadline %q: not a duration (1h, 30m, 2h30m)", sanitize.Line(text))
	case d <= 0:
		return 0, fmt.Errorf("deadline %s: must be later than now (1h, 30m)", sanitize.Line(text))
	}
	return d, nil
}
