package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
)

// runDoctor checks everything entretien depends on and says how to fix
// what is wrong. Exit code 1 when anything failed.
func runDoctor(args []string, stdout, stderr io.Writer) error {
	fs, c := newFlagSet("doctor", stderr)
	if err := parseNoArgs("doctor", fs, c, args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()

	failed := 0
	report := func(what string, err error, ok, fix string) {
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "%-9s FAIL  %s\n", what, sanitize.Line(err.Error()))
			if fix != "" {
				fmt.Fprintf(stdout, "%-9s       fix: %s\n", "", fix)
			}
			return
		}
		fmt.Fprintf(stdout, "%-9s ok    %s\n", what, sanitize.Line(ok))
	}

	p, err := sources.Probe(ctx, c.src)
	if err != nil {
		return usageError{err.Error()}
	}
	report("nomad", p.Nomad.Err, p.Nomad.Addr+" ("+p.Nomad.Detail+")",
		"start Nomad, or point NOMAD_ADDR / --nomad-addr at it; NOMAD_TOKEN needs read access to jobs and nodes")
	report("consul", p.Consul.Err, p.Consul.Addr+" ("+p.Consul.Detail+")",
		"start Consul, or point CONSUL_HTTP_ADDR / --consul-addr at it; CONSUL_HTTP_TOKEN needs service:read and node:read")

	st, err := oncall.Open(ctx, c.db)
	if err != nil {
		report("database", fmt.Errorf("%s: %w", c.db, err), "", "check the path (--db, ENTRETIEN_DB) and that your group can write its folder")
		report("identity", errors.New("unknown: the database did not open"), "", "")
		return doctorExit(failed)
	}
	defer st.Close()
	report("database", dbModeProblem(c.db), c.db, "chmod 0660 the file (and its -wal, -shm files): group-writable for the collective, never world-writable")

	user, _ := oncall.CurrentOSUser()
	me, err := st.Me(ctx)
	if err != nil {
		report("identity", fmt.Errorf("OS user %q is not mapped to a member: %w", user, err), "",
			fmt.Sprintf("entretien member add --handle HANDLE --name NAME --tz Europe/Paris --os-user %s", sanitize.Line(user)))
	} else {
		report("identity", nil, fmt.Sprintf("OS user %s is %s (%s)", user, me.Handle, me.Name), "")
	}
	return doctorExit(failed)
}

func doctorExit(failed int) error {
	if failed == 0 {
		return nil
	}
	return exitError{code: exitFail, msg: fmt.Sprintf("%d problem(s) found", failed)}
}

// dbModeProblem says when the database file is world-writable (anyone on
// the bastion could rewrite the journal).
func dbModeProblem(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o002 != 0 {
		return fmt.Errorf("%s is world-writable (mode %04o)", path, fi.Mode().Perm())
	}
	return nil
}
