package main

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// useLines is one line per command of the tree, as the README's command
// reference writes them: the command path, then its arguments and flags.
func useLines() []string {
	a := &app{stdout: io.Discard, stderr: io.Discard}
	root := a.newRoot()
	root.InitDefaultCompletionCmd()
	var out []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		if !c.HasParent() || !c.HasSubCommands() { // a group is its subcommands
			out = append(out, c.CommandPath()+strings.TrimPrefix(c.Use, c.Name()))
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	return out
}

// The README's "Command line" section lists every command with its Use
// line: a command added or changed without its README line fails here.
func TestReadmeCommandReference(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Command line\n")
	if !ok {
		t.Fatal(`README has no "## Command line" section`)
	}
	if i := strings.Index(sec, "\n## "); i >= 0 {
		sec = sec[:i]
	}
	have := map[string]bool{}
	for _, l := range strings.Split(sec, "\n") {
		if before, _, _ := strings.Cut(l, "  #"); strings.HasPrefix(before, "    entretien") {
			have[strings.TrimSpace(before)] = true
		}
	}
	var missing []string
	for _, l := range useLines() {
		if !have[l] {
			missing = append(missing, "    "+l)
		}
	}
	if len(missing) > 0 {
		t.Errorf("README's \"Command line\" section lacks these commands (one per line, as below):\n%s", strings.Join(missing, "\n"))
	}
}
