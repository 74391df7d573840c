package cli

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"hms/app"
)

const serverAbout = `Manages the clinic's shared sync server, a PostgreSQL database.

Subcommands:
  init URL              create or migrate the server's schema, its sync
                        functions and the group role hms_desk, then update
                        its statistics (ANALYZE); safe to run again; warns
                        when autovacuum is off
  add-desk NAME URL     make the login NAME for one desk, with a new
                        password shown once; the desk enrolls with it
  remove-desk NAME URL  revoke a desk's login (a lost or retired desk): it
                        stops at once and no longer holds pruning back
  prune URL             remove what no desk needs any more: changes logged
                        again since, deleted records every desk has taken in
                        (after 180 days), then update the statistics
                        (ANALYZE); run it now and then, e.g. weekly

URL is postgres://USER@HOST:PORT/DATABASE?sslmode=verify-full, as a user
that may create schemas and roles (the database owner or a superuser). A
password missing from URL comes from PGPASSWORD or the PostgreSQL password
file (~/.pgpass).`

func (r *runner) cmdServer(args []string) int {
	fs := r.newFlags("server", "hms server init|add-desk|remove-desk|prune …", serverAbout)
	fs.SetInterspersed(false)
	rest, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) == 0 {
		return r.usageError(fs, "server needs a subcommand: init, add-desk, remove-desk or prune")
	}
	switch rest[0] {
	case "init":
		return r.cmdServerInit(rest[1:])
	case "prune":
		return r.cmdServerPrune(rest[1:])
	case "add-desk":
		return r.cmdServerAddDesk(rest[1:])
	case "remove-desk":
		return r.cmdServerRemoveDesk(rest[1:])
	}
	return r.usageError(fs, "unknown server subcommand %q", rest[0])
}

func (r *runner) cmdServerInit(args []string) int {
	fs := r.newFlags("server init", "hms server init URL", `Creates the sync schema on the PostgreSQL database at URL, or migrates it to
this version of hms. Running it again changes nothing.

Example:
  hms server init 'postgres://postgres@db.clinic.lan:5432/hms?sslmode=verify-full'`)
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return r.usageError(fs, "server init takes the server's URL")
	}
	if r.env.InitServer == nil {
		return r.fail(app.Errorf(app.EINTERNAL, "This build of hms cannot set up a sync server."), nil)
	}
	if err := passwordInURL(pos[0], "give it in PGPASSWORD or the PostgreSQL password file (~/.pgpass)"); err != nil {
		return r.fail(err, map[string]string{"server": "URL"})
	}
	res, err := r.env.InitServer(r.ctx, pos[0])
	if err != nil {
		return r.fail(err, nil)
	}
	switch {
	case res.From == res.To:
		fmt.Fprintf(r.env.Stdout, "The sync server is up to date (schema %d, epoch %s).\n", res.To, res.Epoch)
	case res.From == 0:
		fmt.Fprintf(r.env.Stdout, "Created the sync server (schema %d, epoch %s).\n", res.To, res.Epoch)
	default:
		fmt.Fprintf(r.env.Stdout, "Migrated the sync server from schema %d to %d (epoch %s).\n", res.From, res.To, res.Epoch)
	}
	if len(res.NewLogins) > 0 {
		fmt.Fprintf(r.env.Stdout, "Each desk now has a login of its own; the shared login they used acts as no desk any more.\n"+
			"Give each desk its login and password (shown only now), and on that desk run: hms sync enroll 'postgres://LOGIN@HOST:PORT/DATABASE?sslmode=…'\n")
		printLogins(r.env.Stdout, res.NewLogins)
	}
	if res.Analyzed {
		fmt.Fprintf(r.env.Stdout, "Updated the server's statistics of the sync tables (ANALYZE).\n")
	}
	warnAutovacuum(r.env.Stdout, res.AutovacuumOff)
	fmt.Fprintf(r.env.Stdout, "Give each new desk a login of its own with: hms server add-desk NAME URL\n")
	return ExitOK
}

// warnAutovacuum says what keeps PostgreSQL's autovacuum from the sync
// tables, and what that costs.
func warnAutovacuum(w io.Writer, off []string) {
	if len(off) == 0 {
		return
	}
	fmt.Fprintf(w, "Warning: autovacuum is off for %s. PostgreSQL then keeps no fresh statistics of the sync tables, "+
		"and the server slows down as the clinic grows (the duplicate patient check most). Turn it on "+
		"(autovacuum and track_counts in postgresql.conf; ALTER TABLE … RESET (autovacuum_enabled) for a table), "+
		"or run hms server prune regularly, which updates the statistics (ANALYZE).\n", strings.Join(off, ", "))
}

// printLogins lists desk logins with their passwords.
func printLogins(w io.Writer, ls []app.DeskLogin) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Desk\tLogin\tPassword\n")
	for _, l := range ls {
		code := l.DeskCode
		if code == "" {
			code = "(not enrolled yet)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", code, l.Name, l.Password)
	}
	tw.Flush()
}

func (r *runner) cmdServerAddDesk(args []string) int {
	fs := r.newFlags("server add-desk", "hms server add-desk NAME URL", `Makes the PostgreSQL login NAME for one desk on the sync server at URL,
with a new password, shown once and kept nowhere. The desk enrolls with it
(hms sync enroll) and is from then on the only desk it may act as: the
server takes the desk from the login, and refuses anything done with it
for another desk. NAME is lower-case letters, digits and _.

Example:
  hms server add-desk reception 'postgres://postgres@db.clinic.lan:5432/hms?sslmode=verify-full'
  then, on the reception desk:
  hms sync enroll 'postgres://reception@db.clinic.lan:5432/hms?sslmode=verify-full'`)
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 {
		return r.usageError(fs, "server add-desk takes the desk's login name and the server's URL")
	}
	if r.env.AddDesk == nil {
		return r.fail(app.Errorf(app.EINTERNAL, "This build of hms cannot manage a sync server."), nil)
	}
	if err := passwordInURL(pos[1], "give it in PGPASSWORD or the PostgreSQL password file (~/.pgpass)"); err != nil {
		return r.fail(err, map[string]string{"server": "URL"})
	}
	l, err := r.env.AddDesk(r.ctx, pos[1], pos[0])
	if err != nil {
		return r.fail(err, map[string]string{"name": "NAME"})
	}
	if l.Password == "" {
		fmt.Fprintf(r.env.Stdout, "The desk login %s exists already on this PostgreSQL server: bound it to this database, its password unchanged.\n", l.Name)
		return ExitOK
	}
	fmt.Fprintf(r.env.Stdout, "Made the desk login %s. Its password, shown only now:\n%s\n", l.Name, l.Password)
	fmt.Fprintf(r.env.Stdout, "On the desk, run: hms sync enroll with the server's URL as %s, and give this password when asked.\n", l.Name)
	return ExitOK
}

func (r *runner) cmdServerRemoveDesk(args []string) int {
	fs := r.newFlags("server remove-desk", "hms server remove-desk NAME URL", `Revokes the desk login NAME on the sync server at URL, for a lost or
retired desk: the login may no longer log in, its open connections are
ended, and the desk no longer holds pruning back. What it sent before
stays.

Example:
  hms server remove-desk reception 'postgres://postgres@db.clinic.lan:5432/hms?sslmode=verify-full'`)
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 {
		return r.usageError(fs, "server remove-desk takes the desk's login name and the server's URL")
	}
	if r.env.RemoveDesk == nil {
		return r.fail(app.Errorf(app.EINTERNAL, "This build of hms cannot manage a sync server."), nil)
	}
	if err := passwordInURL(pos[1], "give it in PGPASSWORD or the PostgreSQL password file (~/.pgpass)"); err != nil {
		return r.fail(err, map[string]string{"server": "URL"})
	}
	l, err := r.env.RemoveDesk(r.ctx, pos[1], pos[0])
	if err != nil {
		return r.fail(err, map[string]string{"name": "NAME"})
	}
	desk := "a desk that never enrolled"
	if l.DeskCode != "" {
		desk = "desk " + l.DeskCode
	}
	fmt.Fprintf(r.env.Stdout, "Revoked the login %s (%s): it can no longer sync.\n", l.Name, desk)
	return ExitOK
}

func (r *runner) cmdServerPrune(args []string) int {
	fs := r.newFlags("server prune", "hms server prune URL", `Removes from the sync server what no desk needs any more: entries of the
change log whose record was logged again since, records deleted more than
180 days ago that every desk has taken in, and results of operations older
than a year. Only what every enrolled desk has pulled goes: a desk that has
been switched off holds the rest back, and the command names it. Desks
work on meanwhile.

Example:
  hms server prune 'postgres://postgres@db.clinic.lan:5432/hms?sslmode=verify-full'`)
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return r.usageError(fs, "server prune takes the server's URL")
	}
	if r.env.PruneServer == nil {
		return r.fail(app.Errorf(app.EINTERNAL, "This build of hms cannot prune a sync server."), nil)
	}
	if err := passwordInURL(pos[0], "give it in PGPASSWORD or the PostgreSQL password file (~/.pgpass)"); err != nil {
		return r.fail(err, map[string]string{"server": "URL"})
	}
	res, err := r.env.PruneServer(r.ctx, pos[0])
	if err != nil {
		return r.fail(err, nil)
	}
	fmt.Fprintf(r.env.Stdout, "Pruned the sync server: %d superseded changes, %d deleted records, %d old operation results; "+
		"updated its statistics (ANALYZE).\n", res.Superseded, res.Tombstones, res.Ops)
	switch {
	case res.HeldBy == "":
	case res.HeldSince.IsZero():
		fmt.Fprintf(r.env.Stdout, "Desk %s has not pulled with this version of hms yet: what it has not pulled is kept for it.\n", res.HeldBy)
	default:
		fmt.Fprintf(r.env.Stdout, "Desk %s has pulled least (last on %s): what it has not pulled is kept for it.\n",
			res.HeldBy, res.HeldSince.Local().Format(time.DateTime))
	}
	warnAutovacuum(r.env.Stdout, res.AutovacuumOff)
	return ExitOK
}

const syncAbout = `Syncs this desk with the clinic's shared server.

Subcommands:
  enroll URL   register this desk with the server; it gets its desk code
  once         push every queued change to the server and pull the other
               desks' changes, now
  status       say where this desk stands
  conflicts    list the changes that lost or were refused, for review

URL names this desk's own login on the server (hms server add-desk), e.g.
postgres://reception@db.clinic.lan:5432/hms; without sslmode it is
sslmode=verify-full. The password is never given in URL nor as an argument
(both show in ps): enroll asks for it, or reads the first line of standard
input, and keeps it sealed with a key derived from the desk's audit key;
an empty one leaves it to PGPASSWORD or the password file (~/.pgpass).`

func (r *runner) cmdSync(args []string) int {
	fs := r.newFlags("sync", "hms [--db PATH] sync SUBCOMMAND [args]", syncAbout)
	fs.SetInterspersed(false)
	rest, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) == 0 {
		return r.usageError(fs, "sync needs a subcommand: enroll, once, status or conflicts")
	}
	switch rest[0] {
	case "enroll":
		return r.cmdSyncEnroll(rest[1:])
	case "once":
		return r.cmdSyncOnce(rest[1:])
	case "status":
		return r.cmdSyncStatus(rest[1:])
	case "conflicts":
		return r.cmdSyncConflicts(rest[1:])
	}
	return r.usageError(fs, "unknown sync subcommand %q", rest[0])
}

// syncService opens the database and returns its sync service.
func (r *runner) syncService() (app.SyncService, io.Closer, error) {
	return r.openSync(true)
}

// openSync opens the database's sync service; with mustExist false it
// creates a database that is not there (a new desk that joins a clinic).
func (r *runner) openSync(mustExist bool) (app.SyncService, io.Closer, error) {
	svc, closer, _, err := r.open(mustExist)
	if err != nil {
		return nil, nil, err
	}
	if svc.Sync == nil {
		closer.Close()
		return nil, nil, app.Errorf(app.EINTERNAL, "This build of hms cannot sync.")
	}
	return svc.Sync, closer, nil
}

func (r *runner) cmdSyncEnroll(args []string) (code int) {
	fs := r.newFlags("sync enroll", "hms [--db PATH] sync enroll [--new] [--trust FINGERPRINT] URL", `Registers this desk with the sync server at URL: checks that the two can
work together, sets the desk's clock offset to the server's time, and takes
the desk code (D1, D2, …) the server gives, which numbers this desk's
patients, invoices and receipts from now on. Enrolling again is safe.

A new desk joins with --new: the database is created empty and, with the
next 'hms sync once', downloads the clinic (its staff accounts, settings
and records) from the server.

URL names the desk's own login (hms server add-desk). Its password is never
given in URL nor on the command line, where other users of the computer
could see it (ps): hms asks for it at a terminal, or reads the first line
of standard input; an empty one leaves it to ~/.pgpass or PGPASSWORD. A
password given is kept sealed on this desk. URL without sslmode is
sslmode=verify-full (the server's certificate and name are checked); a
weaker mode must be written out, and the desk warns about it.

A desk joining a clinic takes from the server the clinic's trust root (its
administrators' keys, which every change to accounts and settings must be
signed with): --trust gives the root's fingerprint, as 'hms sync status'
shows it on a desk of the clinic, and the desk refuses a server whose root
differs.

Examples:
  hms sync enroll 'postgres://reception@db.clinic.lan:5432/hms'
  printf '%s\n' "$PW" | hms --db room2.db sync enroll --new 'postgres://room2@db.clinic.lan:5432/hms'`)
	fresh := fs.Bool("new", false, "create the database if there is none, to download the clinic into")
	trust := fs.String("trust", "", "the `FINGERPRINT` of the clinic's trust root (hms sync status on a desk of the clinic): a server with another is refused")
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) == 2 {
		return r.usageError(fs, "sync enroll takes the server's URL only: the password is never on the command line (hms asks for it, or reads it from standard input)")
	}
	if len(pos) != 1 {
		return r.usageError(fs, "sync enroll takes the server's URL")
	}
	if err := passwordInURL(pos[0], "hms sync enroll asks for it, or reads it from the first line of standard input"); err != nil {
		return r.fail(err, map[string]string{"server": "URL"})
	}
	serverURL, err := r.withDeskPassword(pos[0])
	if err != nil {
		return r.fail(err, nil)
	}
	svc, closer, err := r.openSync(!*fresh)
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	ctx := r.ctx
	if *trust != "" {
		ctx = app.WithTrustPin(ctx, *trust)
	}
	st, err := svc.EnrollDesk(ctx, serverURL)
	if err != nil {
		return r.fail(err, map[string]string{"server": "URL", "trust": "--trust"})
	}
	fmt.Fprintf(r.env.Stdout, "Enrolled with %s as desk %s.\n", st.Server, st.DeskCode)
	if st.TrustRoot != "" {
		fmt.Fprintf(r.env.Stdout, "The clinic's trust root: %s\n", st.TrustRoot)
	}
	r.warnClock(st.ClockOffset)
	if st.Pending > 0 {
		fmt.Fprintf(r.env.Stdout, "%d changes wait for the server: run 'hms sync once' to send them.\n", st.Pending)
	}
	return ExitOK
}

func (r *runner) cmdSyncOnce(args []string) (code int) {
	fs := r.newFlags("sync once", "hms [--db PATH] sync once", `Pushes every change queued on this desk to the sync server now, says what
the server decided, then pulls and applies the changes the other desks
made. Changes stay queued when the server cannot be reached.`)
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return r.usageError(fs, "sync once takes no arguments")
	}
	svc, closer, err := r.syncService()
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	rep, err := svc.SyncNow(r.ctx)
	if err != nil {
		return r.fail(err, nil)
	}
	fmt.Fprintf(r.env.Stdout, "Pushed %d changes: %d applied, %d with conflicts, %d refused, %d held in quarantine.\n",
		rep.Pushed, rep.Applied, rep.Conflicts, rep.Rejected, rep.Quarantined)
	fmt.Fprintf(r.env.Stdout, "Pulled %d changes from other desks: %d with conflicts.\n", rep.Pulled, rep.PullConflicts)
	r.warnClock(rep.ClockOffset)
	if rep.Conflicts+rep.Rejected+rep.PullConflicts > 0 {
		fmt.Fprintf(r.env.Stdout, "Conflicts and refused changes are kept for review: 'hms sync conflicts' lists them.\n")
	}
	if rep.Quarantined > 0 {
		fmt.Fprintf(r.env.Stderr, "hms: the server holds %d changes in quarantine: they were made while this computer's clock ran more than 5 minutes fast. They stay queued and go once the server's time has caught up.\n",
			rep.Quarantined)
		return ExitFailure
	}
	return ExitOK
}

func (r *runner) cmdSyncStatus(args []string) (code int) {
	fs := r.newFlags("sync status", "hms [--db PATH] sync status", `Says where this desk stands with the sync server: enrolled or not, its
desk code, the changes waiting and why the last push failed, when it last
synced and since when syncing fails, and the conflicts waiting for review.
It does not contact the server.`)
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return r.usageError(fs, "sync status takes no arguments")
	}
	svc, closer, err := r.syncService()
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	st, err := svc.SyncStatus(r.ctx)
	if err != nil {
		return r.fail(err, nil)
	}
	tw := tabwriter.NewWriter(r.env.Stdout, 0, 4, 2, ' ', 0)
	if st.Enrolled {
		fmt.Fprintf(tw, "Enrolled:\tyes, with %s\n", app.ShownLine(st.Server))
	} else {
		fmt.Fprintf(tw, "Enrolled:\tno (run 'hms sync enroll URL')\n")
	}
	fmt.Fprintf(tw, "Desk code:\t%s\n", app.ShownLine(st.DeskCode))
	fmt.Fprintf(tw, "Site id:\t%s\n", st.SiteID)
	if st.Pending == 0 {
		fmt.Fprintf(tw, "Pending:\t0 changes\n")
	} else {
		fmt.Fprintf(tw, "Pending:\t%d changes, the oldest from %s\n", st.Pending, st.OldestPending.Local().Format(time.DateTime))
	}
	if st.LastError != "" {
		fmt.Fprintf(tw, "Last error:\t%s\n", app.ShownLine(st.LastError))
	}
	if st.Enrolled {
		if st.LastSyncedAt.IsZero() {
			fmt.Fprintf(tw, "Last synced:\tnever\n")
		} else {
			fmt.Fprintf(tw, "Last synced:\t%s\n", st.LastSyncedAt.Local().Format(time.DateTime))
		}
	}
	if !st.FailingSince.IsZero() {
		fmt.Fprintf(tw, "Failing since:\t%s\n", st.FailingSince.Local().Format(time.DateTime))
	}
	if st.LastSyncError != "" {
		fmt.Fprintf(tw, "Last sync error:\t%s\n", app.ShownLine(st.LastSyncError))
	}
	fmt.Fprintf(tw, "Conflicts:\t%d to review\n", st.Conflicts)
	if st.Enrolled {
		fmt.Fprintf(tw, "Clock offset:\t%s\n", st.ClockOffset)
		if st.TrustRoot != "" {
			fmt.Fprintf(tw, "Trust root:\t%s\n", st.TrustRoot)
		} else {
			fmt.Fprintf(tw, "Trust root:\tnone yet (the next sync gives the server this desk's, or records the clinic's)\n")
		}
	}
	tw.Flush()
	if st.Unsigned > 0 {
		fmt.Fprintf(r.env.Stderr, "hms: ALERT: %d changes from the server grant power without a trusted administrator's signature; they were refused and wait for an administrator's review ('hms sync conflicts').\n", st.Unsigned)
		return ExitFailure
	}
	return ExitOK
}

func (r *runner) cmdSyncConflicts(args []string) (code int) {
	fs := r.newFlags("sync conflicts", "hms [--db PATH] sync conflicts [--all]", `Lists the changes kept for review, newest first: fields that lost to a
newer change made on another desk, and changes the server refused. Decide
them in the program (Settings, Conflicts). It does not contact the server.`)
	all := fs.Bool("all", false, "list the resolved ones too")
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return r.usageError(fs, "sync conflicts takes no arguments")
	}
	svc, closer, err := r.syncService()
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	list, err := svc.ListConflicts(r.ctx, *all)
	if err != nil {
		return r.fail(err, nil)
	}
	if len(list) == 0 {
		fmt.Fprintf(r.env.Stdout, "No conflicts to review.\n")
		return ExitOK
	}
	tw := tabwriter.NewWriter(r.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "DETECTED\tWHAT\tFIELD\tLOST\tWON\tRULE\tRESOLVED\n")
	for _, c := range list {
		field := c.Field
		switch {
		case c.DuplicateOf != "":
			field = "(two records)"
		case field == "":
			field = "(whole change)"
		}
		resolved := "open"
		if !c.ResolvedAt.IsZero() {
			resolved = fmt.Sprintf("%s by %s, %s", app.ShownLine(string(c.Resolution)), app.ShownLine(c.ResolvedBy), c.ResolvedAt.Local().Format(time.DateTime))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.DetectedAt.Local().Format(time.DateTime), app.ShownLine(c.What.String()), app.ShownLine(field),
			clipValue(c.LostValue), clipValue(c.WonValue), app.ShownLine(c.Rule), resolved)
	}
	tw.Flush()
	return ExitOK
}

// clipValue shortens a JSON value to fit a column.
func clipValue(v string) string {
	v = app.ShownLine(v)
	if r := []rune(v); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return v
}

// warnClock says so when the desk's clock is far from the server's.
func (r *runner) warnClock(offset time.Duration) {
	if offset > app.MaxClockOffset || offset < -app.MaxClockOffset {
		fmt.Fprintf(r.env.Stdout, "Warning: this computer's clock is %s off the server's; hms corrects for it, but set the clock right.\n",
			offset.Round(time.Second))
	}
}

// passwordInURL refuses an address that holds a password: a command's
// arguments show in the process list (ps) to every user of the computer.
// how says where the password goes instead.
func passwordInURL(rawURL, how string) error {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return nil // the command's own check says what is wrong with it
	}
	_, has := u.User.Password()
	if has || u.Query().Has("password") {
		return app.FieldErrorf("server", "Do not put the password in the address: the command line shows in the process list to every user of this computer. Give the address without it; %s.", how)
	}
	return nil
}

// withDeskPassword asks for the desk's password on the server (at a
// terminal, with echo off; otherwise the first line of standard input) and
// puts it into rawURL, which stays in memory only. An empty one (or none)
// leaves rawURL as it is: the password then comes from ~/.pgpass or
// PGPASSWORD.
func (r *runner) withDeskPassword(rawURL string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || u.User == nil || u.User.Username() == "" {
		return rawURL, nil // EnrollDesk says what is wrong with it
	}
	var pw string
	if f, ok := r.env.Stdin.(*os.File); ok && isTerminal(f) {
		if pw, err = r.promptHidden(f, fmt.Sprintf("Password of %s on the sync server (empty: from ~/.pgpass or PGPASSWORD): ", u.User.Username())); err != nil && app.ErrorCode(err) != app.EINVALID {
			return "", err
		}
	} else {
		line, err := r.stdin.ReadString('\n')
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("reading standard input: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if pw == "" {
		return rawURL, nil
	}
	u.User = url.UserPassword(u.User.Username(), pw)
	return u.String(), nil
}
