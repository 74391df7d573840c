package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"hms/app"
)

// userFlags names the flag behind each field a `user add` error can concern.
var userFlags = map[string]string{
	"username":  "--username",
	"full_name": "--name",
	"email":     "--email",
	"phone":     "--phone",
	"role":      "--role",
	"password":  "password",
}

const userAbout = `Manages accounts. Each subcommand has its own flags: run
'hms user SUBCOMMAND -h'.

Subcommands:
  add              create an active account
  list             list accounts
  approve          approve a pending staff account
  reset-password   set a new password the user must change at next login
  unlock           unlock an account locked after failed logins
  deactivate       stop an account from logging in`

func (r *runner) cmdUser(args []string) int {
	fs := r.newFlags("user", "hms [--db PATH] user SUBCOMMAND [flags] [args]", userAbout)
	fs.SetInterspersed(false)
	rest, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) == 0 {
		return r.usageError(fs, "user needs a subcommand: add, list, approve, reset-password, unlock or deactivate")
	}
	switch rest[0] {
	case "add":
		return r.cmdUserAdd(rest[1:])
	case "list", "ls":
		return r.cmdUserList(rest[1:])
	case "reset-password":
		return r.cmdUserAction(rest[1:], userResetPassword)
	case "unlock":
		return r.cmdUserAction(rest[1:], userUnlock)
	case "deactivate":
		return r.cmdUserAction(rest[1:], userDeactivate)
	case "approve":
		return r.cmdUserAction(rest[1:], userApprove)
	}
	return r.usageError(fs, "unknown user subcommand %q", rest[0])
}

// openSetUp opens an existing database that has been set up.
func (r *runner) openSetUp() (app.Services, io.Closer, error) {
	svc, closer, path, err := r.open(true)
	if err != nil {
		return svc, nil, err
	}
	need, err := svc.Settings.NeedsSetup(r.ctx)
	if err == nil && need {
		err = app.Errorf(app.ECONFLICT, "The database at %s is not set up yet: run 'hms setup' first.", path)
	}
	if err != nil {
		closer.Close()
		return svc, nil, err
	}
	return svc, closer, nil
}

func (r *runner) cmdUserAdd(args []string) (code int) {
	fs := r.newFlags("user add",
		"hms [--db PATH] user add --username USERNAME --name NAME --role ROLE [--email EMAIL] [--phone PHONE] [--admin ADMIN]",
		`Creates an active account. The password is read from the first line of
standard input, or asked for at a terminal. Roles: admin, doctor, nurse,
reception, billing.

On a desk that syncs, --admin names the administrator who signs the
account (their password is asked for first, or read from the first line
of standard input, the new password from the second).

Example:
  printf '%s\n' "$PASSWORD" | hms user add --username jdoe --name "Jane Doe" --role doctor
  printf '%s\n%s\n' "$ADMIN_PW" "$PASSWORD" | hms user add --admin admin --username jdoe --name "Jane Doe" --role doctor`)
	var u app.UserCreate
	var role string
	fs.StringVar(&u.Username, "username", "", "the login `USERNAME`: 3 to 32 letters, digits, dot, dash or underscore (required)")
	fs.StringVar(&u.FullName, "name", "", "the person's full `NAME` (required)")
	fs.StringVar(&role, "role", "", "the `ROLE`: admin, doctor, nurse, reception or billing (required)")
	fs.StringVar(&u.Email, "email", "", "the person's `EMAIL` address")
	fs.StringVar(&u.Phone, "phone", "", "the person's `PHONE` number")
	var admin string
	fs.StringVar(&admin, "admin", "", adminFlagUsage)
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return r.usageError(fs, "user add takes no arguments, only flags (got %q)", pos[0])
	}
	if strings.TrimSpace(role) == "" {
		return r.usageError(fs, "--role is required: admin, doctor, nurse, reception or billing")
	}
	var err error
	if u.Role, err = app.ParseRole(strings.ToLower(strings.TrimSpace(role))); err != nil {
		return r.usageError(fs, "--role: %s", app.ErrorMessage(err))
	}
	pre := u
	if err := pre.Validate(); err != nil && app.ErrorField(err) != "password" {
		return r.fail(err, userFlags)
	}
	svc, closer, err := r.openSetUp()
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	if err := r.signAs(svc, admin); err != nil {
		return r.fail(err, nil)
	}
	if u.Password, err = r.readPassword("Password for "+app.NormalizeUsername(u.Username), true); err != nil {
		return r.fail(err, userFlags)
	}
	created, err := svc.Users.CreateUser(r.ctx, u)
	if err != nil {
		return r.fail(err, userFlags)
	}
	fmt.Fprintf(r.env.Stdout, "Created %s (%s, %s). They can log in now.\n", created.Username, app.ShownLine(created.FullName), created.Role.Label())
	return ExitOK
}

func (r *runner) cmdUserList(args []string) (code int) {
	fs := r.newFlags("user list", "hms [--db PATH] user list [--role ROLE] [--status STATUS] [--limit N]",
		`Lists accounts as a table: username, name, role, status, last login, and
notes (locked, must change password).`)
	role := fs.String("role", "", "only accounts with this `ROLE`: admin, doctor, nurse, reception, billing or patient")
	status := fs.String("status", "", "only accounts with this `STATUS`: pending, active or deactivated")
	limit := fs.Int("limit", 500, "list at most `N` accounts")
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return r.usageError(fs, "user list takes no arguments, only flags (got %q)", pos[0])
	}
	var f app.UserFilter
	if *role != "" {
		rl, err := app.ParseRole(strings.ToLower(strings.TrimSpace(*role)))
		if err != nil {
			return r.usageError(fs, "--role: %s", app.ErrorMessage(err))
		}
		f.Role = rl
	}
	if *status != "" {
		switch st := app.UserStatus(strings.ToLower(strings.TrimSpace(*status))); st {
		case app.StatusPending, app.StatusActive, app.StatusDeactivated:
			f.Status = st
		default:
			return r.usageError(fs, "--status: unknown status %q: choose pending, active or deactivated", *status)
		}
	}
	if *limit < 1 {
		return r.usageError(fs, "--limit must be at least 1")
	}
	f.Limit = *limit
	svc, closer, err := r.openSetUp()
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	users, err := svc.Users.FindUsers(r.ctx, f)
	if err != nil {
		return r.fail(err, nil)
	}
	if len(users) == 0 {
		fmt.Fprintln(r.env.Stdout, "No accounts match.")
		return ExitOK
	}
	printUsers(r.env.Stdout, users, time.Now())
	if len(users) >= f.Limit {
		fmt.Fprintf(r.env.Stderr, "hms: showing the first %d accounts; use --limit to see more.\n", f.Limit)
	}
	return ExitOK
}

// printUsers writes accounts as an aligned table.
func printUsers(w io.Writer, users []*app.User, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tNAME\tROLE\tSTATUS\tLAST LOGIN\tNOTES")
	for _, u := range users {
		last := "never"
		if !u.LastLoginAt.IsZero() {
			last = u.LastLoginAt.Local().Format("2006-01-02 15:04")
		}
		var notes []string
		if u.Locked(now) {
			notes = append(notes, "locked until "+u.LockedUntil.Local().Format("15:04"))
		}
		if u.MustChangePassword {
			notes = append(notes, "must change password")
		}
		note := strings.Join(notes, ", ")
		if note == "" {
			note = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Username, app.ShownLine(u.FullName), u.Role, u.Status, last, note)
	}
	tw.Flush()
}

// userAction is one of the `user VERB USERNAME` subcommands.
type userAction struct {
	name  string
	about string
	do    func(r *runner, svc app.Services, u *app.User) (string, error)
}

var userResetPassword = userAction{
	name: "reset-password",
	about: `Sets a new password for USERNAME, who must change it at their next login.
The new password is read from the first line of standard input, or asked
for at a terminal.`,
	do: func(r *runner, svc app.Services, u *app.User) (string, error) {
		pw, err := r.readPassword("New password for "+u.Username, true)
		if err != nil {
			return "", err
		}
		if _, err := svc.Users.ResetPassword(r.ctx, u.ID, pw); err != nil {
			return "", err
		}
		return fmt.Sprintf("The password of %s is reset; they must choose a new one at their next login.", u.Username), nil
	},
}

var userUnlock = userAction{
	name:  "unlock",
	about: `Unlocks USERNAME's account after too many failed logins.`,
	do: func(r *runner, svc app.Services, u *app.User) (string, error) {
		if _, err := svc.Users.UnlockUser(r.ctx, u.ID); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s is unlocked.", u.Username), nil
	},
}

var userDeactivate = userAction{
	name: "deactivate",
	about: `Stops USERNAME from logging in. The account and everything it did stay
on record.`,
	do: func(r *runner, svc app.Services, u *app.User) (string, error) {
		if _, err := svc.Users.DeactivateUser(r.ctx, u.ID, nil); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s is deactivated and can no longer log in.", u.Username), nil
	},
}

var userApprove = userAction{
	name:  "approve",
	about: `Approves USERNAME's pending staff account, with the role they asked for.`,
	do: func(r *runner, svc app.Services, u *app.User) (string, error) {
		a, err := svc.Users.ApproveUser(r.ctx, u.ID)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s (%s) is approved and can log in now.", a.Username, a.Role.Label()), nil
	},
}

func (r *runner) cmdUserAction(args []string, act userAction) (code int) {
	fs := r.newFlags("user "+act.name, "hms [--db PATH] user "+act.name+" [--admin ADMIN] USERNAME", act.about)
	var admin string
	fs.StringVar(&admin, "admin", "", adminFlagUsage)
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 || strings.TrimSpace(pos[0]) == "" {
		return r.usageError(fs, "user %s needs one USERNAME", act.name)
	}
	svc, closer, err := r.openSetUp()
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	if err := r.signAs(svc, admin); err != nil {
		return r.fail(err, nil)
	}
	u, err := svc.Users.FindUserByUsername(r.ctx, app.NormalizeUsername(pos[0]))
	if err != nil {
		return r.fail(err, nil)
	}
	msg, err := act.do(r, svc, u)
	if err != nil {
		return r.fail(err, userFlags)
	}
	fmt.Fprintln(r.env.Stdout, msg)
	return ExitOK
}
