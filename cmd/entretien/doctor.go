package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/entretien/entretien/internal/sanitize"
	"codeberg.org/entretien/entretien/oncall"
	"codeberg.org/entretien/entretien/sources"
)

// doctorCmd checks everything entretien depends on and says how to fix
// what is wrong. Exit code 1 when anything failed.
func (a *app) doctorCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "doctor [--json]",
		Short: "check Nomad, Consul, the database (and its sharing) and who you are",
		Args:  noArgs("doctor"),
	}
	asJSON := jsonFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error { return a.runDoctor(cmd.Context(), *asJSON) }
	return c
}

func (a *app) runDoctor(ctx context.Context, asJSON bool) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()

	checks := []checkJSON{}
	report := func(what string, err error, ok, fix string) {
		if err != nil {
			checks = append(checks, checkJSON{Check: what, Detail: sanitize.Line(err.Error()), Fix: sanitize.Line(fix)})
			return
		}
		checks = append(checks, checkJSON{Check: what, OK: true, Detail: sanitize.Line(ok)})
	}
	defer func() {
		if asJSON {
			writeJSON(a.stdout, checks)
			return
		}
		for _, c := range checks {
			if !c.OK {
				fmt.Fprintf(a.stdout, "%-9s FAIL  %s\n", c.Check, c.Detail)
				if c.Fix != "" {
					fmt.Fprintf(a.stdout, "%-9s       fix: %s\n", "", c.Fix)
				}
				continue
			}
			fmt.Fprintf(a.stdout, "%-9s ok    %s\n", c.Check, c.Detail)
		}
	}()

	p, err := sources.Probe(ctx, a.src)
	if err != nil {
		return usageError{msg: err.Error()}
	}
	report("nomad", p.Nomad.Err, p.Nomad.Addr+" ("+p.Nomad.Detail+")",
		"start Nomad, or point NOMAD_ADDR / --nomad-addr at it; NOMAD_TOKEN needs read access to jobs and nodes")
	report("consul", p.Consul.Err, p.Consul.Addr+" ("+p.Consul.Detail+")",
		"start Consul, or point CONSUL_HTTP_ADDR / --consul-addr at it; CONSUL_HTTP_TOKEN needs service:read and node:read")

	if l, _ := oncall.ParseLocator(a.db); l.Backend == oncall.BackendPostgres {
		if !a.doctorPostgres(ctx, report) {
			report("identity", errors.New("unknown: the database did not open"), "", "")
			return doctorExit(checks)
		}
		st, err := openStore(ctx, a.db)
		if err != nil {
			report("identity", fmt.Errorf("unknown: %w", err), "", "")
			return doctorExit(checks)
		}
		defer st.Close()
		doctorIdentity(ctx, st, report)
		return doctorExit(checks)
	}
	share, shareOK, shareFix := sharingProblem(a.db)
	st, err := openStore(ctx, a.db)
	if err != nil {
		fix := "check the path (--db, ENTRETIEN_DB) and that your group can write its folder"
		if share != nil {
			fix = shareFix
		}
		report("database", fmt.Errorf("%s: %w", a.db, err), "", fix)
		report("sharing", share, shareOK, shareFix)
		report("identity", errors.New("unknown: the database did not open"), "", "")
		return doctorExit(checks)
	}
	defer st.Close()
	report("database", dbModeProblem(a.db), a.db, "chmod 0660 the file (and its -wal, -shm files): group-writable for the collective, never world-writable")
	if share == nil {
		// The file may have just been created: look again.
		share, shareOK, shareFix = sharingProblem(a.db)
	}
	report("sharing", share, shareOK, shareFix)

	doctorIdentity(ctx, st, report)
	return doctorExit(checks)
}

type reportFunc = func(what string, err error, ok, fix string)

// doctorIdentity says who the OS user is in the store.
func doctorIdentity(ctx context.Context, st oncall.Store, report reportFunc) {
	osUser, _ := oncall.CurrentOSUser()
	me, err := st.Me(ctx)
	if err != nil {
		report("identity", fmt.Errorf("OS user %q is not mapped to a member: %w", osUser, err), "",
			fmt.Sprintf("entretien member add --handle HANDLE --name NAME --tz Europe/Paris --os-user %s", sanitize.Line(osUser)))
	} else {
		report("identity", nil, fmt.Sprintf("OS user %s is %s (%s)", osUser, me.Handle, me.Name), "")
	}
}

// doctorPostgres checks a PostgreSQL database as Nomad and Consul are:
// reachable, at a schema version this entretien knows, a primary (entretien
// writes). It says false when the server could not be read.
func (a *app) doctorPostgres(ctx context.Context, report reportFunc) bool {
	doc, err := inspectDB(ctx, a.db)
	fix := "check the DSN (--db, ENTRETIEN_DB), that the server runs and accepts this host (pg_hba.conf), and the password in ~/.pgpass or the file PGPASSFILE names"
	if err != nil {
		report("database", err, "", fix)
		return false
	}
	s := doc.Server
	detail := fmt.Sprintf("%s: PostgreSQL %s, %s, schema version %d", doc.Location, s.Version, s.Role, doc.SchemaVersion)
	if doc.SchemaVersion < doc.KnownVersion {
		detail += fmt.Sprintf(" (%d after entretien db migrate)", doc.KnownVersion)
	}
	if s.Role == "primary" && len(s.Replicas) > 0 {
		detail += fmt.Sprintf(", %d standby(s)", len(s.Replicas))
	}
	var problem error
	switch {
	case doc.SchemaVersion > doc.KnownVersion:
		problem = fmt.Errorf("%s: schema version %d is newer than this entretien's %d", doc.Location, doc.SchemaVersion, doc.KnownVersion)
		fix = "upgrade entretien on this bastion"
	case s.Role == "standby":
		problem = fmt.Errorf("%s is a standby (read-only, PostgreSQL %s): entretien writes the journal, the rota and pages", doc.Location, s.Version)
		fix = "point --db at the primary, or name every member with target_session_attrs=read-write: host=a,b,c port=… dbname=… target_session_attrs=read-write"
	}
	report("database", problem, detail, fix)
	if a.src.PatroniScope != "" {
		members, mproblem, err := a.storeMembers(ctx)
		var parts []string
		for _, m := range members {
			parts = append(parts, m.Name+" "+m.Role+" "+m.State)
		}
		switch {
		case err != nil:
			report("database members", err, "", "check CONSUL_HTTP_ADDR and that the token may read service/"+a.src.PatroniScope+"/ (key_prefix read)")
		default:
			report("database members", mproblem, fmt.Sprintf("Patroni scope %s: %s", a.src.PatroniScope, strings.Join(parts, ", ")),
				"on the bastion of the member down: systemctl status patroni@15-entretien; patronictl -c /etc/patroni/15-entretien.yml list")
		}
	}
	return true
}

func doctorExit(checks []checkJSON) error {
	failed := 0
	for _, c := range checks {
		if !c.OK {
			failed++
		}
	}
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

// sharingProblem checks that the members sharing the database can all
// open it. With umask 022 and a folder that is not setgid, the first member
// to run entretien creates the file (and later its -wal and -shm) with their
// own primary group, and the others get "unable to open database file:
// permission denied". The folder's group is taken as the collective's.
func sharingProblem(path string) (err error, ok, fix string) {
	dir := filepath.Dir(path)
	di, derr := os.Stat(dir)
	if derr != nil {
		return nil, "folder " + dir + " does not exist yet", ""
	}
	dgid := gidOf(di)
	dgroup := groupName(dgid)
	setgid := di.Mode()&os.ModeSetgid != 0
	newFix := fmt.Sprintf("for a new folder: install -d -m 2770 -g %s %s", dgroup, dir)
	fi, ferr := os.Stat(path)
	if ferr != nil {
		if !setgid {
			return nil, fmt.Sprintf("folder %s (group %s) is not setgid: fine for one member; to share it, chmod 2770 %s before the first run", dir, dgroup, dir), ""
		}
		return nil, fmt.Sprintf("folder %s is group %s and setgid", dir, dgroup), ""
	}
	fgroup := groupName(gidOf(fi))
	if gidOf(fi) != dgid {
		return fmt.Errorf("%s has group %s but its folder %s has group %s: members of %s cannot open it", path, fgroup, dir, dgroup, dgroup),
			"", fmt.Sprintf("chgrp %s %s* && chmod 2770 %s (%s)", dgroup, path, dir, newFix)
	}
	if !setgid {
		return nil, fmt.Sprintf("%s and its folder are group %s; the folder is not setgid: fine for one member, to share it: chmod 2770 %s", path, fgroup, dir), ""
	}
	return nil, fmt.Sprintf("%s and its folder are group %s, the folder is setgid", path, fgroup), ""
}

func gidOf(fi os.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Gid
	}
	return 0
}

func groupName(gid uint32) string {
	id := strconv.FormatUint(uint64(gid), 10)
	if g, err := user.LookupGroupId(id); err == nil {
		return g.Name
	}
	return id
}
