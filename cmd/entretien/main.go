// Command entretien is the collective's terminal UI for cluster care: live
// Nomad and Consul state by site, the on-call rota, the incident journal.
//
//	entretien [flags]            open the TUI
//	entretien doctor [flags]     check Nomad, Consul, the database and who you are
//	entretien demo [flags]       start a local dev cluster, seed it and open the TUI on it
//	entretien version            print the version
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = ""

// exit codes: 1 for a failure at run time, 2 for bad usage or input.
const (
	exitFail  = 1
	exitUsage = 2
)

// usageError is bad input on the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	err := dispatch(args, stdout, stderr)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(stderr, "entretien:", err)
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitFail
}

// command is a subcommand defined in its own file (rota.go, incident.go,
// care.go…), which registers it from an init function so that adding a
// command never means editing the dispatcher.
type command struct {
	summary string // one line for `entretien help`
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

// exitError carries a specific exit code (doctor's findings).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

func dispatch(args []string, stdout, stderr io.Writer) error {
	cmd := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "":
		return runTUI(args, stdout, stderr)
	case "doctor":
		return runDoctor(args, stdout, stderr)
	case "demo":
		return runDemo(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "entretien", versionString())
		return nil
	case "help":
		printUsage(stdout)
		return nil
	}
	if c, ok := commands[cmd]; ok {
		return c.run(args, stdout, stderr)
	}
	return usageError{fmt.Sprintf("unknown command %q (try: entretien help)", cmd)}
}

const usage = `entretien: cluster care for a collective (Nomad, Consul, on-call, journal)

Usage:
  entretien [flags]           open the TUI
  entretien doctor [flags]    check Nomad, Consul, the database and your identity
  entretien demo [flags]      start a local Nomad + Consul dev cluster, seed it, open the TUI
  entretien version           print the version
  entretien help              this text
%s
Flags (every command):
  --nomad-addr URL      Nomad HTTP address (env NOMAD_ADDR, default http://127.0.0.1:4646)
  --nomad-region NAME   Nomad region (env NOMAD_REGION)
  --nomad-namespace NS  Nomad namespace (env NOMAD_NAMESPACE)
  --consul-addr ADDR    Consul HTTP address (env CONSUL_HTTP_ADDR, default 127.0.0.1:8500)
  --db PATH             the shared database (env ENTRETIEN_DB, default $XDG_DATA_HOME/entretien/entretien.db)
  --site-key KEY        group by "datacenter" (default) or a node meta key: "meta.site"
  --version             print the version

Tokens and TLS are read from the official variables only (NOMAD_TOKEN, NOMAD_CACERT,
NOMAD_CLIENT_CERT, NOMAD_CLIENT_KEY, NOMAD_SKIP_VERIFY, CONSUL_HTTP_TOKEN, CONSUL_CACERT,
CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY, CONSUL_HTTP_SSL...): never as flags, which every user
of a shared bastion could read in the process list.
`

// printUsage writes the usage with every registered command.
func printUsage(w io.Writer) {
	var b strings.Builder
	for _, name := range sortedCommands() {
		fmt.Fprintf(&b, "  entretien %-17s %s\n", name, commands[name].summary)
	}
	fmt.Fprintf(w, usage, b.String())
}

func sortedCommands() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
