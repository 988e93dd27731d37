package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/oncall/paging"
)

func (a *app) pagingCmd() *cobra.Command {
	c := group("paging", "the paging policy: apply FILE (HCL, idempotent), export", a.pagingApplyCmd(), a.pagingExportCmd())
	c.Long = `The paging policy: which rotation an outage pages, after how long, and how it escalates.

    paging {
      after       = "2m"
      clear_after = "1m"
      default     = "primary"
      route "service/garage" { rotation = "storage" }
      step { notify = "on_call" }
      step {
        after  = "10m"
        notify = "next"
      }
      step {
        after  = "20m"
        notify = "everyone"
      }
    }`
	return c
}

func (a *app) pagingApplyCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "apply FILE",
		Short:       "replace the paging policy with FILE's (HCL); applying twice changes nothing",
		Args:        exactArgs("paging apply", 1, "exactly one FILE"),
		Annotations: needsStore(),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"hcl"}, cobra.ShellCompDirectiveFilterFileExt
		},
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		src, err := os.ReadFile(args[0])
		if err != nil {
			return usageError{msg: fmt.Sprintf("paging file: %v", err)}
		}
		p, err := paging.Parse(args[0], src)
		if err != nil {
			return err
		}
		res, err := a.st.ApplyPagingPolicy(cmd.Context(), p)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "paging policy %s: %d routes, %d steps\n", res, len(p.Routes), len(p.Steps))
		return nil
	}
	return c
}

func (a *app) pagingExportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:         "export [-o FILE]",
		Short:       "print the paging policy as a paging file (HCL); the default one before any apply",
		Args:        noArgs("paging export"),
		Annotations: needsStore(),
	}
	output := outputFlag(c, "the paging file")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		p, _, err := a.st.PagingPolicy(cmd.Context())
		if err != nil {
			return err
		}
		return a.emit(*output, paging.Format(p), 0o644)
	}
	return c
}
