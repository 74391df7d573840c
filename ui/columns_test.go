package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func TestFitText(t *testing.T) {
	test.NewTempApp(t)
	style := fyne.TextStyle{}
	if got := fitText("Grace Hopper", 300, style); got != "Grace Hopper" {
		t.Errorf("a text that fits became %q", got)
	}
	long := strings.Repeat("Papadopoulou-Müller ", 10)
	got := fitText(long, 150, style)
	if !strings.HasSuffix(got, "…") || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Errorf("cut to %q", got)
	}
	if w := fyne.MeasureText(got, theme.TextSize(), style).Width; w > 150 {
		t.Errorf("cut text is %.0f wide, more than 150", w)
	}
	if got := fitText("Grace", 1, style); got != "…" {
		t.Errorf("nothing fits: %q", got)
	}
}
