package common

import (
	"context"
	"io"

	"codeberg.org/entretien/entretien/sources"
)

// The acting side of sources (issue 12), under the names the screens use:
// the contract's types are sources' own.
type (
	ActionKind   = sources.ActionKind
	Act          = sources.Action
	ActResult    = sources.ActionResult
	DeniedError  = sources.DeniedError
	InputError   = sources.InputError
	TerminalSize = sources.TerminalSize
)

const (
	RestartAlloc   = sources.RestartAlloc
	RestartTask    = sources.RestartTask
	StopAlloc      = sources.StopAlloc
	DrainNode      = sources.DrainNode
	UndrainNode    = sources.UndrainNode
	NodeIneligible = sources.NodeIneligible
	NodeEligible   = sources.NodeEligible
	ForcePeriodic  = sources.ForcePeriodic
	ExecTask       = sources.ExecTask // names exec for Permission
)

// Actor acts on the cluster with the member's own token; *sources.Watcher
// implements it. Screens call it only inside tea.Cmd closures.
type Actor interface {
	Act(ctx context.Context, a Act) (ActResult, error)
	Permission(ctx context.Context, k ActionKind, ns string) (allowed bool, reason string, err error)
	Exec(ctx context.Context, allocID, task string, command []string, tty bool,
		stdin io.Reader, stdout, stderr io.Writer, resize <-chan TerminalSize) (exitCode int, err error)
}

var _ Actor = (*sources.Watcher)(nil)
