package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"entretien/oncall"
	"entretien/sources"
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
