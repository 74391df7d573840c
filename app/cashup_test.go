package app_test

import (
	"slices"
	"testing"

	"hms/app"
)

func TestParseDenominations(t *testing.T) {
	got, err := app.ParseDenominations(" 0.50 20  50;1 ", 2)
	if err != nil || !slices.Equal(got, []app.Money{5000, 2000, 100, 50}) {
		t.Errorf("parsed %v, %v", got, err)
	}
	if s := app.FormatDenominations(got, 2); s != "50.00 20.00 1.00 0.50" {
		t.Errorf("formatted %q", s)
	}
	for _, bad := range []string{"20 20", "0", "-5", "1.234", "x"} {
		if _, err := app.ParseDenominations(bad, 2); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got, err := app.ParseDenominations("", 2); err != nil || got != nil {
		t.Errorf("empty: %v %v", got, err)
	}
	if d := app.DefaultDenominations("JPY"); d[0] != 10000 || d[len(d)-1] != 1 {
		t.Errorf("JPY %v", d)
	}
	if d := app.DefaultDenominations("USD"); !slices.Contains(d, 25) {
		t.Errorf("USD %v", d)
	}
}
