package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
)

// Helpers every command file shares: argument checks, group commands, IDs,
// --json and -o/--output.

// noArgs refuses any positional argument.
func noArgs(name string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("%s takes no arguments, got %q", name, sanitize.Line(args[0]))
		}
		return nil
	}
}

// exactArgs wants n arguments, named by what.
func exactArgs(name string, n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s: want %s, got %d argument(s)", name, what, len(args))
		}
		return nil
	}
}

// minArgs wants at least n arguments, named by what.
func minArgs(name string, n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return usagef("%s: want %s", name, what)
		}
		return nil
	}
}

// group is a command holding subcommands: alone it is a usage error,
// `NAME help` prints its help, an unknown word suggests the nearest.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		// SuggestionsFor leaves the distance at 0 unless set: cobra sets 2
		// only for the root's own suggestions.
		SuggestionsMinimumDistance: 2,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("%s: want a subcommand", use)
			}
			if args[0] == "help" {
				return cmd.Help()
			}
			msg := fmt.Sprintf("%s: unknown subcommand %q", use, sanitize.Line(args[0]))
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(s, " or "))
			}
			return usageError{msg: msg, showUsage: true}
		},
	}
	c.AddCommand(subs...)
	return c
}

// parseID reads "3" or "#3".
func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, usageError{msg: fmt.Sprintf("%s %q: want a number such as 3", what, sanitize.Line(s))}
	}
	return id, nil
}

// jsonFlag adds --json to a command that lists or shows something.
func jsonFlag(c *cobra.Command) *bool {
	if !strings.Contains(c.Use, "--json") {
		c.Use += " [--json]"
	}
	return c.Flags().Bool("json", false, "print one JSON document (snake_case fields, RFC 3339 UTC times) instead of the table")
}

// writeJSON prints v as one indented JSON document.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// listOf converts items for JSON: an empty array, never null, when none.
func listOf[T, J any](items []T, of func(T) J) []J {
	out := make([]J, 0, len(items))
	for _, it := range items {
		out = append(out, of(it))
	}
	return out
}

// utc is a JSON time: RFC 3339 in UTC, null when unknown.
func utc(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// outputFlag adds -o/--output FILE to a command that writes a file.
func outputFlag(c *cobra.Command, what string) *string {
	return c.Flags().StringP("output", "o", "", "write "+what+" to FILE (replaced whole, atomically) instead of stdout")
}

// emit writes data to stdout, or replaces the file named by output and
// confirms on stderr (stdout stays clean for pipes).
func (a *app) emit(output string, data []byte, perm os.FileMode) error {
	if output == "" {
		_, err := a.stdout.Write(data)
		return err
	}
	if err := replaceFile(output, data, perm); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "wrote %s (%d bytes)\n", sanitize.Line(output), len(data))
	return nil
}

// replaceFile writes data to a temporary file next to path, syncs it and
// renames it over path, so a web server serving path never sends half a
// file; on error path is left as it was.
func replaceFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
