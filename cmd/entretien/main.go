// Command entretien is the collective's terminal UI for cluster care: live
// Nomad and Consul state by site, the on-call rota, the incident journal.
// Every subcommand is a cobra command built in its own file (rota.go,
// incident.go…) and added to the root in newRoot; `entretien --help` lists
// them and `entretien help CMD` explains one.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/cmd/entretien/internal/defertmux"
	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/oncall/rotafile"
	"codeberg.org/entretien/entretien/oncall/sqlite"
	"codeberg.org/entretien/entretien/sources"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = ""

// Exit codes, the same for every command (README "Command line").
const (
	exitOK       = 0
	exitFail     = 1 // a failure at run time: backend unreachable, database error
	exitUsage    = 2 // bad usage or invalid input; nothing was written
	exitNotFound = 3 // no such incident, member, rotation, override, entry…
)

// usageError is bad input on the command line: exit code 2. showUsage is
// set for a malformed command line (unknown flag or command, wrong number
// of arguments), where the command's usage helps; a refused value says
// only what is wrong with it.
type usageError struct {
	msg       string
	showUsage bool
}

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error {
	return usageError{msg: fmt.Sprintf(format, a...), showUsage: true}
}

// exitError carries a specific exit code (doctor's findings).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

func main() {
	tmuxDeferred = defertmux.Restore()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns its exit code. Errors are
// printed here, once, as "entretien: <message>", with the usage of the
// command only when the command line itself was malformed.
func run(args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	root := a.newRoot()
	root.SetArgs(args)
	// A write waiting for a primary (a failover) says so once on stderr;
	// the TUI replaces this with its status line.
	ctx := oncall.WithWaitNotice(context.Background(), func(why string) {
		fmt.Fprintf(stderr, "entretien: %s; waiting for a primary…\n", sanitize.Line(why))
	})
	cmd, err := root.ExecuteContextC(ctx)
	a.closeStore()
	if err == nil {
		return exitOK
	}
	err = cobraError(err)
	fmt.Fprintln(stderr, "entretien:", sanitize.Text(err.Error()))
	var ue usageError
	if errors.As(err, &ue) && ue.showUsage && cmd != nil {
		fmt.Fprintf(stderr, "\n%s", cmd.UsageString())
	}
	return exitCode(err)
}

var requiredRE = regexp.MustCompile(`^required flag\(s\) "(.*)" not set$`)

// cobraError turns cobra's own errors (unknown command, missing required
// flag) into usage errors worded like the rest of entretien's.
func cobraError(err error) error {
	var ue usageError
	var ee exitError
	if errors.As(err, &ue) || errors.As(err, &ee) {
		return err
	}
	msg := err.Error()
	if m := requiredRE.FindStringSubmatch(msg); m != nil {
		names := strings.Split(m[1], `", "`)
		for i, n := range names {
			names[i] = "--" + n
		}
		verb := "is"
		if len(names) > 1 {
			verb = "are"
		}
		return usageError{msg: strings.Join(names, ", ") + " " + verb + " required", showUsage: true}
	}
	if strings.HasPrefix(msg, "unknown command") {
		return usageError{msg: msg + "\n(entretien --help lists the commands)"}
	}
	if strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag") || strings.HasPrefix(msg, "invalid argument") ||
		strings.HasPrefix(msg, "flag needs an argument") || strings.HasPrefix(msg, "accepts ") {
		return usageError{msg: msg, showUsage: true}
	}
	return err
}

// exitCode maps an error to the exit code of its kind.
func exitCode(err error) int {
	var ue usageError
	var ee exitError
	var ve *oncall.ValidationError
	var fe *rotafile.Error
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue), errors.As(err, &ve), errors.As(err, &fe):
		return exitUsage
	case errors.Is(err, oncall.ErrNotFound):
		return exitNotFound
	}
	return exitFail
}

// app is one run of the command line: where it writes, the settings every
// command shares, and the store opened for the commands that need one.
type app struct {
	stdout, stderr io.Writer
	src            sources.Config
	db             string
	st             oncall.Store
	readOnly       bool // the TUI acts on nothing (--read-only, ENTRETIEN_READ_ONLY=1)
}

// needsStore marks a command whose store the pre-run hook opens.
func needsStore() map[string]string { return map[string]string{"store": "open"} }

func (a *app) newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "entretien",
		Short: "cluster care for a collective: Nomad, Consul, on-call rota, incident journal",
		Long: `entretien: cluster care for a collective (Nomad, Consul, on-call, journal).

Without a command it opens the TUI. Tokens and TLS are read from the official
variables only (NOMAD_TOKEN, NOMAD_CACERT, NOMAD_CLIENT_CERT, NOMAD_CLIENT_KEY,
NOMAD_SKIP_VERIFY, CONSUL_HTTP_TOKEN, CONSUL_CACERT, CONSUL_CLIENT_CERT,
CONSUL_CLIENT_KEY, CONSUL_HTTP_SSL...): never as flags, which every user of a
shared bastion could read in the process list.

Exit codes: 0 ok; 1 a failure at run time (backend unreachable, database
error); 2 bad usage or invalid input, nothing written; 3 not found.`,
		Version:           versionString(),
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: a.preRun,
		PersistentPostRunE: func(*cobra.Command, []string) error {
			return a.closeStore()
		},
		RunE: a.runTUI,
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetVersionTemplate("entretien {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return usageError{msg: err.Error(), showUsage: true}
	})
	root.Flags().Bool("version", false, "print the version")
	pf := root.PersistentFlags()
	pf.StringVar(&a.src.NomadAddr, "nomad-addr", "", "Nomad HTTP address (overrides NOMAD_ADDR; default http://127.0.0.1:4646)")
	pf.StringVar(&a.src.NomadRegion, "nomad-region", "", "Nomad region (overrides NOMAD_REGION)")
	pf.StringVar(&a.src.NomadNamespace, "nomad-namespace", "", "Nomad namespace (overrides NOMAD_NAMESPACE)")
	pf.StringVar(&a.src.ConsulAddr, "consul-addr", "", "Consul HTTP address (overrides CONSUL_HTTP_ADDR; default 127.0.0.1:8500)")
	pf.StringVar(&a.db, "db", "", "the shared database: a SQLite file, or PostgreSQL as postgres://… or \"host=… dbname=…\", its password from ~/.pgpass (overrides ENTRETIEN_DB; default $XDG_DATA_HOME/entretien/entretien.db)")
	pf.StringVar(&a.src.SiteKey, "site-key", "", `group sites by "datacenter" (default) or a node meta key: "meta.site"`)
	pf.StringVar(&a.src.PatroniScope, "patroni-scope", "", "follow the replicated database through Patroni's keys in Consul (service/SCOPE/; also ENTRETIEN_PATRONI_SCOPE)")
	pf.BoolVar(&a.readOnly, "read-only", false, "the TUI shows the cluster but offers no action (also ENTRETIEN_READ_ONLY=1)")
	root.AddCommand(a.doctorCmd(), a.demoCmd(), a.versionCmd(), a.rotaCmd(), a.incidentCmd(), a.retroCmd(),
		a.overrideCmd(), a.leaveCmd(), a.memberCmd(), a.rotationCmd(), a.careCmd(), a.watchCmd(),
		a.pagingCmd(), a.pageCmd(), a.actionsCmd(), a.proposalCmd(), a.dbCmd())
	for _, c := range tagged {
		root.AddCommand(c(a))
	}
	return root
}

// tagged: commands of builds with a tag (man.go: manpages).
var tagged []func(*app) *cobra.Command

// preRun checks the shared settings and opens the store for the commands
// that need one, after their required flags are checked: a refused command
// line creates no database file.
func (a *app) preRun(cmd *cobra.Command, _ []string) error {
	if err := cmd.ValidateRequiredFlags(); err != nil {
		return err
	}
	if sk := a.src.SiteKey; sk != "" && sk != "datacenter" && !strings.HasPrefix(sk, "meta.") {
		return usageError{msg: fmt.Sprintf(`--site-key %q: want "datacenter" or "meta.<key>"`, sanitize.Line(sk))}
	}
	if a.src.PatroniScope == "" {
		a.src.PatroniScope = os.Getenv("ENTRETIEN_PATRONI_SCOPE")
	}
	if err := a.resolveDB(); err != nil {
		return err
	}
	if cmd.Annotations["store"] == "open" {
		st, err := openStore(cmd.Context(), a.db)
		if err != nil {
			return fmt.Errorf("database %s: %w", a.db, err)
		}
		a.st = st
	}
	return nil
}

func (a *app) closeStore() error {
	if a.st == nil {
		return nil
	}
	err := a.st.Close()
	a.st = nil
	return err
}

// resolveDB fills a.db from --db, ENTRETIEN_DB or the default path, and
// refuses a PostgreSQL DSN holding a password (checkLocator).
func (a *app) resolveDB() error {
	if a.db == "" {
		a.db = os.Getenv("ENTRETIEN_DB")
	}
	if a.db == "" {
		p, err := sqlite.DefaultPath()
		if err != nil {
			return fmt.Errorf("no database path: %w (set --db or ENTRETIEN_DB)", err)
		}
		a.db = p
	}
	_, err := checkLocator(a.db)
	return err
}

// me is the member mapped to the OS user running the command (there is no
// flag for it: identity on the bastion is the OS user).
func (a *app) me(ctx context.Context) (oncall.Member, error) {
	me, err := a.st.Me(ctx)
	if err != nil {
		return me, fmt.Errorf("who are you? %w", err)
	}
	return me, nil
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the version",
		Args:  noArgs("version"),
		Run: func(*cobra.Command, []string) {
			fmt.Fprintln(a.stdout, "entretien", versionString())
		},
	}
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
