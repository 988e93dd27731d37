package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

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

// manCmd writes the man pages of every command (make man): hidden, it is
// a build step, not something members run.
func (a *app) manCmd() *cobra.Command {
	c := &cobra.Command{
		Use:    "man DIR",
		Short:  "write man pages of every command into DIR",
		Hidden: true,
		Args:   exactArgs("man", 1, "DIR"),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if err := os.MkdirAll(args[0], 0o755); err != nil {
			return err
		}
		root := cmd.Root()
		root.DisableAutoGenTag = true
		hdr := &doc.GenManHeader{Title: "ENTRETIEN", Section: "1", Source: "entretien " + versionString(), Manual: "entretien manual"}
		if err := doc.GenManTree(root, hdr, args[0]); err != nil {
			return err
		}
		ents, _ := os.ReadDir(args[0])
		n := 0
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".1") {
				n++
			}
		}
		fmt.Fprintf(a.stderr, "wrote %d man pages to %s\n", n, sanitize.Line(args[0]))
		return nil
	}
	return c
}
