package main

import (
	"image"
	"image/color"
	"image/draw"
	"strings"
	"testing"
)

// screen is a 400×300 black screen with a window of bg, a button of the
// primary blue, and a line of "text" of fg, each when asked for.
func screen(bg, fg color.RGBA, button bool) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 400, 300))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{A: 0xff}), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(50, 50, 350, 250), image.NewUniform(bg), image.Point{}, draw.Src)
	if button {
		draw.Draw(img, image.Rect(280, 200, 340, 234), image.NewUniform(primary), image.Point{}, draw.Src)
	}
	draw.Draw(img, image.Rect(60, 60, 260, 64), image.NewUniform(fg), image.Point{}, draw.Src)
	return img
}

func TestCheck(t *testing.T) {
	white := color.RGBA{0xff, 0xff, 0xff, 0xff}
	black := color.RGBA{0x10, 0x10, 0x10, 0xff}
	for _, tc := range []struct {
		name string
		img  image.Image
		want string // "" for a login window
	}{
		{"dark login", screen(darkBackground, white, true), ""},
		{"light login", screen(lightBackground, black, true), ""},
		{"no button", screen(darkBackground, white, false), "Log in button"},
		{"black screen", screen(color.RGBA{A: 0xff}, color.RGBA{A: 0xff}, false), "tenth of the screen"},
		{"grey error box", screen(color.RGBA{0xc0, 0xc0, 0xc0, 0xff}, black, true), "tenth of the screen"},
		{"no text", screen(darkBackground, darkBackground, true), "no text"},
	} {
		got := check(tc.img).problem()
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
