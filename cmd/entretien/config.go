package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/rotafile"
	"codeberg.org/entretien/entretien/sources"
)

// config is what every command reads from flags and the environment. The
// api clients read NOMAD_* and CONSUL_* themselves; flags override them.
type config struct {
	src         sources.Config
	db          string
	showVersion bool
}

func newFlagSet(name string, stderr io.Writer) (*flag.FlagSet, *config) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		if name == "entretien" {
			printUsage(stderr)
			return
		}
		fmt.Fprintf(stderr, "Usage: entretien %s [flags]\n\nFlags:\n", name)
		fs.PrintDefaults()
	}
	c := &config{}
	fs.StringVar(&c.src.NomadAddr, "nomad-addr", "", "Nomad HTTP address (overrides NOMAD_ADDR)")
	fs.StringVar(&c.src.NomadRegion, "nomad-region", "", "Nomad region (overrides NOMAD_REGION)")
	fs.StringVar(&c.src.NomadNamespace, "nomad-namespace", "", "Nomad namespace (overrides NOMAD_NAMESPACE)")
	fs.StringVar(&c.src.ConsulAddr, "consul-addr", "", "Consul HTTP address (overrides CONSUL_HTTP_ADDR)")
	fs.StringVar(&c.src.SiteKey, "site-key", "", `group sites by "datacenter" or "meta.<key>"`)
	fs.StringVar(&c.db, "db", "", "database file (overrides ENTRETIEN_DB)")
	fs.BoolVar(&c.showVersion, "version", false, "print the version")
	return fs, c
}

// parse parses args and resolves defaults; extra positional arguments are
// a usage error unless the command takes them.
func parse(fs *flag.FlagSet, c *config, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err.Error()}
	}
	if sk := c.src.SiteKey; sk != "" && sk != "datacenter" && !strings.HasPrefix(sk, "meta.") {
		return usageError{fmt.Sprintf(`--site-key %q: want "datacenter" or "meta.<key>"`, sk)}
	}
	if c.db == "" {
		c.db = os.Getenv("ENTRETIEN_DB")
	}
	if c.db == "" {
		p, err := oncall.DefaultPath()
		if err != nil {
			return fmt.Errorf("no database path: %w (set --db or ENTRETIEN_DB)", err)
		}
		c.db = p
	}
	return nil
}

// parseArgs parses flags placed anywhere among the positional arguments
// (`incident note 3 "text" --kind action`, `rotation apply FILE --db X`);
// everything after "--" is positional, so a note may start with a dash.
func parseArgs(fs *flag.FlagSet, c *config, args []string) ([]string, error) {
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

// parseNoArgs parses a command that takes flags only.
func parseNoArgs(name string, fs *flag.FlagSet, c *config, args []string) error {
	pos, err := parseArgs(fs, c, args)
	if err == nil && len(pos) > 0 {
		err = usageError{fmt.Sprintf("%s takes no arguments, got %q", name, sanitize.Line(pos[0]))}
	}
	return err
}

// inputErr turns refused input (validation, unknown member, rotation or
// incident, a bad rotation file) into a usage error: exit 2, with the
// store's own words.
func inputErr(err error) error {
	if err == nil {
		return nil
	}
	var ve *oncall.ValidationError
	var fe *rotafile.Error
	if errors.As(err, &ve) || errors.As(err, &fe) || errors.Is(err, oncall.ErrNotFound) {
		return usageError{sanitize.Line(err.Error())}
	}
	return err
}

// openStore opens the shared database named by --db / ENTRETIEN_DB.
func openStore(ctx context.Context, c *config) (*oncall.Store, error) {
	st, err := oncall.Open(ctx, c.db)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", c.db, err)
	}
	return st, nil
}

// whoAmI is the member mapped to the OS user running the command (there is
// no flag for it: identity on the bastion is the OS user).
func whoAmI(ctx context.Context, st *oncall.Store) (oncall.Member, error) {
	me, err := st.Me(ctx)
	if err != nil {
		return me, fmt.Errorf("who are you? %w", err)
	}
	return me, nil
}
