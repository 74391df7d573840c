package ui

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"hms/app"
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSettingsArea(t *testing.T) {
	h := newHarness(t)
	loaded := clinicSettings()
	h.settings.UpdateSettingsFn = func(ctx context.Context, s app.Settings, was *app.Settings) (*app.Settings, error) {
		h.record("UpdateSettings", ctx, s)
		// What the form showed goes with the save, so that a setting left
		// as shown keeps what a sync brought meanwhile.
		if was == nil || was.ClinicName != loaded.ClinicName || was.TimeZone != loaded.TimeZone {
			t.Errorf("the save sent %+v as what the form showed, want the settings it loaded", was)
		}
		if err := s.Validate(); err != nil {
			return nil, err
		}
		return &s, nil
	}
	h.loginAs(user(app.RoleAdmin))
	h.openArea(app.AreaSettings)
	s := h.u.main.settings
	h.waitFor("the settings", func() bool { return s.clinicName.Text != "" })
	if s.currency.Selected != "EUR" || s.timeZone.Text != "Europe/Athens" || s.autoLock.Text != "10" {
		t.Errorf("form = %q %q %q", s.currency.Selected, s.timeZone.Text, s.autoLock.Text)
	}

	t.Run("ErrMinutesNotANumber", func(t *testing.T) {
		s.autoLock.SetText("ten")
		test.Tap(s.save)
		if s.errs.text("auto_lock_minutes") == "" {
			t.Error("no error for a non-number")
		}
		h.settle()
		if h.called("UpdateSettings") != 0 {
			t.Error("UpdateSettings called with bad minutes")
		}
		s.autoLock.SetText("10")
	})

	t.Run("CashDenominations", func(t *testing.T) {
		s.cash.SetText("20 50 x")
		test.Tap(s.save)
		if !strings.Contains(s.errs.text("cash_denominations"), `"x" is not a denomination`) {
			t.Errorf("denominations message %q", s.errs.text("cash_denominations"))
		}
		h.settle()
		if h.called("UpdateSettings") != 0 {
			t.Error("UpdateSettings called with a bad denomination")
		}
		s.cash.SetText("20 50 0.50")
		test.Tap(s.save)
		h.waitFor("the save", func() bool { return h.called("UpdateSettings") == 1 })
		if got := h.callsOf("UpdateSettings")[0].(app.Settings).CashDenominations; !slices.Equal(got, []app.Money{5000, 2000, 50}) {
			t.Errorf("saved denominations %v", got)
		}
		// The clinic has no screen language of its own (its users see
		// English); the form shows English, and saved untouched it keeps
		// none rather than setting English for every desk.
		if got := h.callsOf("UpdateSettings")[0].(app.Settings).ScreenLanguage; got != "" {
			t.Errorf("saved screen language %q, want none (as shown, untouched)", got)
		}
		h.waitFor("the form refilled", func() bool { return s.cash.Text == "50.00 20.00 0.50" })
		s.cash.SetText("")
	})

	t.Run("ErrTimeZoneFromService", func(t *testing.T) {
		s.timeZone.SetText("Atlantis/Capital")
		test.Tap(s.save)
		h.waitFor("the time-zone error", func() bool { return s.errs.text("time_zone") != "" })
		if s.errs.text("clinic_name") != "" {
			t.Error("error shown next to the wrong field")
		}
		s.timeZone.SetText("Europe/Athens")
	})

	t.Run("Logo", func(t *testing.T) {
		s.setLogo([]byte("GIF89a not allowed"))
		if s.errs.text("logo") == "" {
			t.Error("no error for a GIF")
		}
		s.setLogo(pngBytes(t))
		if s.errs.text("logo") != "" || s.logoImage.Resource == nil || s.removeLogo.Disabled() {
			t.Error("PNG logo not previewed")
		}
		if s.logoInfo.Text != "PNG, 4×3 pixels" {
			t.Errorf("logo info = %q", s.logoInfo.Text)
		}
	})

	t.Run("OK", func(t *testing.T) {
		s.clinicName.SetText("Riverside Clinic & Lab")
		s.autoLock.SetText("5")
		s.displayNames.SetChecked(true)
		test.Tap(s.save)
		h.waitFor("the saved note", func() bool { return s.saved.Visible() })
		calls := h.callsOf("UpdateSettings")
		got := calls[len(calls)-1].(app.Settings)
		if got.ClinicName != "Riverside Clinic & Lab" || got.AutoLockMinutes != 5 || len(got.Logo) == 0 || !got.DisplayNames {
			t.Errorf("UpdateSettings got %+v", got)
		}
		if h.u.win.Title() != "HMS — Riverside Clinic & Lab" {
			t.Errorf("title = %q", h.u.win.Title())
		}
		if h.u.idleLimit().Minutes() != 5 {
			t.Errorf("idle limit = %v after saving 5 minutes", h.u.idleLimit())
		}
	})
}

// fileReader is a fyne.URIReadCloser over bytes, as the file dialog hands over.
type fileReader struct {
	*bytes.Reader
	uri fyne.URI
}

func (f fileReader) Close() error  { return nil }
func (f fileReader) URI() fyne.URI { return f.uri }

func TestSettingsLogoFile(t *testing.T) {
	h := newHarness(t)
	h.loginAs(user(app.RoleAdmin))
	h.openArea(app.AreaSettings)
	s := h.u.main.settings
	h.waitFor("the settings", func() bool { return s.clinicName.Text != "" })
	s.onLogoChosen(nil, nil) // cancelled: nothing happens
	s.onLogoChosen(fileReader{bytes.NewReader(pngBytes(t)), storage.NewFileURI("/tmp/logo.png")}, nil)
	h.waitFor("the preview", func() bool { return s.logoImage.Resource != nil })
	big := append(pngBytes(t), make([]byte, app.MaxLogoBytes)...)
	s.onLogoChosen(fileReader{bytes.NewReader(big), storage.NewFileURI("/tmp/huge.png")}, nil)
	h.waitFor("the size error", func() bool { return s.errs.text("logo") != "" })
	if len(s.logo) > app.MaxLogoBytes {
		t.Error("kept a logo over the limit")
	}
}
