package cli

import (
	"strings"

	"hms/app"
)

// adminFlagUsage is the --admin flag of the commands that grant power.
const adminFlagUsage = "on a desk that syncs, the `USERNAME` of the administrator who signs the change: their password is asked for (or read from the first line of standard input, before any other)"

// signAs authenticates the administrator named by --admin and acts as
// them from then on, so that the change is signed with their key
// (docs/SYNC-DESIGN.md): the other desks of a clinic take a change to
// accounts only when an administrator signed it. Without --admin the
// command acts as the command line, as before, which a desk that does not
// sync allows.
func (r *runner) signAs(svc app.Services, admin string) error {
	admin = strings.TrimSpace(admin)
	if admin == "" {
		return nil
	}
	pw, err := r.readPassword("Password of administrator "+app.NormalizeUsername(admin), false)
	if err != nil {
		return err
	}
	sess, err := svc.Users.Login(r.ctx, admin, pw)
	if err != nil {
		return err
	}
	if sess.User.Role != app.RoleAdmin {
		return app.Errorf(app.EUNAUTHORIZED, "%s is not an administrator: --admin names the administrator who signs the change.", sess.User.Username)
	}
	if sess.Signer == nil {
		return app.Errorf(app.EUNAUTHORIZED, "%s's signing key does not open with this password: log in to the desk once, or ask another administrator.", sess.User.Username)
	}
	r.ctx = app.NewContextWithCaller(r.ctx, sess.Caller())
	return nil
}
