package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"entretien/oncall"
)

// Helpers shared by the incident, retro and watch commands.

// parseMixed parses flags placed anywhere among the positional arguments
// (`incident note 3 "text" --kind action`); everything after "--" is
// positional, so a note may start with a dash.
func parseMixed(fs *flag.FlagSet, c *config, args []string) ([]string, error) {
	var rest []string
	for i, a := range args {
		if a == "--" {
			args, rest = args[:i], args[i+1:]
			break
		}
	}
	var pos []string
	for {
		if err := parse(fs, c, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return append(pos, rest...), nil
}

// journalErr turns refused input (validation, unknown incident or member)
// into a usage error: exit 2, with the store's own words.
func journalErr(err error) error {
	var ve *oncall.ValidationError
	if errors.As(err, &ve) || errors.Is(err, oncall.ErrNotFound) {
		return usageError{err.Error()}
	}
	return err
}

// parseID reads "3" or "#3".
func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, usageError{fmt.Sprintf("%s %q: want a number such as 3", what, s)}
	}
	return id, nil
}

// openJournal opens the store and finds who is writing.
func openJournal(ctx context.Context, c *config, needMe bool) (*oncall.Store, oncall.Member, error) {
	st, err := oncall.Open(ctx, c.db)
	if err != nil {
		return nil, oncall.Member{}, fmt.Errorf("database %s: %w", c.db, err)
	}
	if !needMe {
		return st, oncall.Member{}, nil
	}
	me, err := st.Me(ctx)
	if err != nil {
		st.Close()
		return nil, oncall.Member{}, err
	}
	return st, me, nil
}

// subcommands dispatches `entretien NAME SUB ...`.
type subcommand struct {
	usage string
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func dispatchSub(name string, subs map[string]subcommand, order []string, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(stdout, "Usage:\n")
		for _, s := range order {
			fmt.Fprintf(stdout, "  entretien %s %s\n", name, subs[s].usage)
		}
		if len(args) == 0 {
			return usageError{fmt.Sprintf("%s needs a subcommand", name)}
		}
		return nil
	}
	sub, ok := subs[args[0]]
	if !ok {
		return usageError{fmt.Sprintf("unknown %s subcommand %q (try: entretien %s help)", name, args[0], name)}
	}
	return journalErr(sub.run(context.Background(), args[1:], stdout, stderr))
}

func wantArgs(cmd string, pos []string, n int, what string) error {
	if len(pos) != n {
		return usageError{fmt.Sprintf("%s: want %s, got %d argument(s)", cmd, what, len(pos))}
	}
	return nil
}
