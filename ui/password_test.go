package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"hms/app"
)

func TestChangePassword(t *testing.T) {
	h := newHarness(t)
	h.users.ChangePasswordFn = func(ctx context.Context, oldPW, newPW string) error {
		h.record("ChangePassword", ctx, oldPW+"->"+newPW)
		switch {
		case oldPW == "wrong current password":
			return app.Errorf(app.EUNAUTHORIZED, "The current password is not right.")
		case newPW == "password1234":
			return app.FieldErrorf("password", "This password is one of the most common ones and easy to guess; choose another.")
		}
		return nil
	}
	h.loginAs(user(app.RoleDoctor))
	test.Tap(h.u.main.changePassword)
	f := h.u.pwDialog
	if f == nil {
		t.Fatal("no change-password dialog")
	}

	t.Run("ErrCurrentRequired", func(t *testing.T) {
		test.Tap(f.save)
		if f.errs.text("current") == "" {
			t.Error("no error for an empty current password")
		}
	})

	t.Run("ErrConfirmMismatch", func(t *testing.T) {
		f.current.SetText("my old password 1")
		f.next.SetText(testPassword)
		f.confirm.SetText(testPassword + "?")
		test.Tap(f.save)
		if f.errs.text("confirm") == "" {
			t.Error("no error for mismatched new passwords")
		}
		if f.errs.text("current") != "" {
			t.Error("old error not cleared")
		}
		h.settle()
		if h.called("ChangePassword") != 0 {
			t.Error("ChangePassword called with mismatched passwords")
		}
	})

	t.Run("ErrSameAsCurrent", func(t *testing.T) {
		f.current.SetText(testPassword)
		f.next.SetText(testPassword)
		f.confirm.SetText(testPassword)
		test.Tap(f.save)
		if f.errs.text("password") == "" {
			t.Error("no error for a new password equal to the current one")
		}
	})

	t.Run("ErrPolicyFromService", func(t *testing.T) {
		f.current.SetText("my old password 1")
		f.next.SetText("password1234")
		f.confirm.SetText("password1234")
		test.Tap(f.save)
		h.waitFor("the policy error", func() bool { return f.errs.text("password") != "" })
	})

	t.Run("ErrWrongCurrent", func(t *testing.T) {
		f.current.SetText("wrong current password")
		f.next.SetText(testPassword)
		f.confirm.SetText(testPassword)
		test.Tap(f.save)
		h.waitFor("the message", func() bool { return f.errs.text("") != "" })
		if f.errs.text("") != "The current password is not right." {
			t.Errorf("message = %q", f.errs.text(""))
		}
	})

	t.Run("OK", func(t *testing.T) {
		f.current.SetText("my old password 1")
		f.next.SetText(testPassword)
		f.confirm.SetText(testPassword)
		test.Tap(f.save)
		h.waitFor("the dialog to close", func() bool { return h.u.pwDialog == nil })
		if !h.shows("Your password has been changed.") {
			t.Error("no confirmation shown")
		}
		calls := h.callsOf("ChangePassword")
		if calls[len(calls)-1] != "my old password 1->"+testPassword {
			t.Errorf("ChangePassword got %v", calls[len(calls)-1])
		}
	})
}
