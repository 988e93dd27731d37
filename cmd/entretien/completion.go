package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
)

// Dynamic shell completion (cobra's `completion bash|zsh|fish` scripts call
// the hidden `__complete` command): member handles, rotation names and
// incident ids are read from the store named by --db / ENTRETIEN_DB. The
// pre-run hook does not run for completions, so they open it themselves,
// and never create a SQLite file.

func (a *app) completionStore(cmd *cobra.Command) (oncall.Store, bool) {
	if a.resolveDB() != nil {
		return nil, false
	}
	if l, _ := oncall.ParseLocator(a.db); l.Backend == oncall.BackendSQLite {
		if _, err := os.Stat(a.db); err != nil {
			return nil, false
		}
	}
	st, err := openStore(cmd.Context(), a.db)
	if err != nil {
		return nil, false
	}
	return st, true
}

func (a *app) memberCompletions(cmd *cobra.Command) ([]string, cobra.ShellCompDirective) {
	st, ok := a.completionStore(cmd)
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer st.Close()
	ms, err := st.Members(ctxOf(cmd))
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, m := range ms {
		out = append(out, cobra.CompletionWithDesc(sanitize.Line(m.Handle), sanitize.Line(m.Name)))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func (a *app) rotationCompletions(cmd *cobra.Command) ([]string, cobra.ShellCompDirective) {
	st, ok := a.completionStore(cmd)
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer st.Close()
	rs, err := st.Rotations(ctxOf(cmd))
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, r := range rs {
		out = append(out, cobra.CompletionWithDesc(sanitize.Line(r.Name), r.Every()))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func (a *app) incidentCompletions(cmd *cobra.Command) ([]string, cobra.ShellCompDirective) {
	st, ok := a.completionStore(cmd)
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer st.Close()
	incs, err := st.Incidents(ctxOf(cmd), oncall.IncidentFilter{})
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, in := range incs {
		out = append(out, cobra.CompletionWithDesc(fmt.Sprint(in.ID), fmt.Sprintf("%s: %s", in.Status, sanitize.Line(in.Title))))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func ctxOf(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// completeIncidents completes the first argument of c with incident ids.
func (a *app) completeIncidents(c *cobra.Command, _ int) {
	c.ValidArgsFunction = func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return a.incidentCompletions(cmd)
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeMembers completes the named flags with member handles.
func (a *app) completeMembers(c *cobra.Command, flags ...string) {
	for _, f := range flags {
		c.RegisterFlagCompletionFunc(f, func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
			return a.memberCompletions(cmd)
		})
	}
}

// completeRotations completes the named flags with rotation names.
func (a *app) completeRotations(c *cobra.Command, flags ...string) {
	for _, f := range flags {
		c.RegisterFlagCompletionFunc(f, func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
			return a.rotationCompletions(cmd)
		})
	}
}
