package common

import (
	"context"
	"fmt"
	"io"
	"time"
)

// The acting side of sources (issue 12), as screens consume it. These are
// the contract's types, declared here until sources' own land on main;
// then they become aliases of sources.Action and friends.

type ActionKind string

const (
	RestartAlloc   ActionKind = "restart-alloc"
	RestartTask    ActionKind = "restart-task"
	StopAlloc      ActionKind = "stop-alloc"
	DrainNode      ActionKind = "drain-node"
	UndrainNode    ActionKind = "undrain-node"
	NodeIneligible ActionKind = "node-ineligible"
	NodeEligible   ActionKind = "node-eligible"
	ForcePeriodic  ActionKind = "force-periodic"
	// ExecTask names exec for Permission (Exec does it, not Act).
	ExecTask ActionKind = "exec-task"
)

// Act is one action on the cluster (sources.Action).
type Act struct {
	Kind                         ActionKind
	Namespace                    string
	JobID, AllocID, Task, NodeID string
	Deadline                     time.Duration
}

type ActResult struct {
	EvalID  string
	Message string
}

type DeniedError struct {
	Kind                         ActionKind
	Namespace, Reason, NomadSaid string
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("%s (Nomad said: %s)", e.Reason, e.NomadSaid)
}

type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

type TerminalSize struct{ Width, Height int }

// Actor acts on the cluster with the member's own token; *sources.Watcher
// implements it. Screens call it only inside tea.Cmd closures.
type Actor interface {
	Act(ctx context.Context, a Act) (ActResult, error)
	Permission(ctx context.Context, k ActionKind, ns string) (allowed bool, reason string, err error)
	Exec(ctx context.Context, allocID, task string, command []string, tty bool,
		stdin io.Reader, stdout, stderr io.Writer, resize <-chan TerminalSize) (exitCode int, err error)
}
