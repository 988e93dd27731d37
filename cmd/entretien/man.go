//go:build manpages

package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"codeberg.org/entretien/entretien/internal/sanitize"
)

func init() { tagged = append(tagged, (*app).manCmd) }

// manCmd writes the man pages of every command (make man): hidden, it is
// a build step, not something members run. It is built only with the tag
// manpages: cobra/doc brings a markdown parser and YAML whose package
// init ran at every start of the binary, before the first frame (issue 17).
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
