package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"codeberg.org/entretien/entretien/oncall"
)

// Helpers shared by the incident, retro and watch commands.

// parseID reads "3" or "#3".
func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, usageError{fmt.Sprintf("%s %q: want a number such as 3", what, s)}
	}
	return id, nil
}

// openJournal opens the store and, when needMe, finds who is writing.
func openJournal(ctx context.Context, c *config, needMe bool) (*oncall.Store, oncall.Member, error) {
	st, err := openStore(ctx, c)
	if err != nil || !needMe {
		return st, oncall.Member{}, err
	}
	me, err := whoAmI(ctx, st)
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
	return inputErr(sub.run(context.Background(), args[1:], stdout, stderr))
}

// idArgs parses a journal command's flags and arguments, the first being
// the ID of a kind ("incident", "note", "action"): exactly n of them (what
// names them), or n or more with atLeast. It returns the ID and the
// arguments after it.
func idArgs(name string, fs *flag.FlagSet, c *config, args []string, n int, atLeast bool, what, kind string) (int64, []string, error) {
	pos, err := parseArgs(fs, c, args)
	if err != nil {
		return 0, nil, err
	}
	if atLeast {
		if len(pos) < n {
			return 0, nil, usageError{name + ": want " + what}
		}
	} else if err := wantArgs(name, pos, n, what); err != nil {
		return 0, nil, err
	}
	id, err := parseID(kind, pos[0])
	if err != nil {
		return 0, nil, err
	}
	return id, pos[1:], nil
}

func wantArgs(cmd string, pos []string, n int, what string) error {
	if len(pos) != n {
		return usageError{fmt.Sprintf("%s: want %s, got %d argument(s)", cmd, what, len(pos))}
	}
	return nil
}
