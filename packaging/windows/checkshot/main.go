// Command checkshot checks a screenshot of HMS's login window: the window's
// background (Fyne's light or dark theme) fills a good part of the screen,
// the "Log in" button's blue is there, and so is text. It exits 1, saying
// what is missing, when the screenshot shows anything else (a black screen,
// an error box, a crash dialog).
//
//	go run ./packaging/windows/checkshot SHOT.png
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: checkshot SHOT.png")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "checkshot:", err)
		os.Exit(1)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "checkshot:", err)
		os.Exit(1)
	}
	r := check(img)
	fmt.Println("checkshot:", r)
	if msg := r.problem(); msg != "" {
		fmt.Fprintln(os.Stderr, "checkshot:", msg)
		os.Exit(1)
	}
}

// Fyne's theme colours (fyne.io/fyne/v2/theme): the backgrounds of the dark
// and light variants, and the primary blue of the default button.
var (
	darkBackground  = color.RGBA{0x17, 0x17, 0x18, 0xff}
	lightBackground = color.RGBA{0xff, 0xff, 0xff, 0xff}
	primary         = color.RGBA{0x29, 0x6f, 0xf6, 0xff}
)

type report struct {
	pixels     int
	background int // pixels of the theme's background (dark or light)
	primary    int // pixels of the button's blue
	text       int // pixels that contrast with the background (text, borders)
}

func (r report) String() string {
	return fmt.Sprintf("%d pixels: %d theme background, %d button blue, %d text", r.pixels, r.background, r.primary, r.text)
}

// problem is what the screenshot lacks, or "".
func (r report) problem() string {
	switch {
	case r.pixels == 0:
		return "the screenshot is empty"
	case r.background*10 < r.pixels:
		return "no window in Fyne's theme covers a tenth of the screen: the login window is not there"
	case r.primary < 400:
		return "the Log in button's blue is missing: the login window is not showing"
	case r.text < 500:
		return "the window shows no text"
	}
	return ""
}

func check(img image.Image) report {
	b := img.Bounds()
	px := make([]color.RGBA, 0, b.Dx()*b.Dy())
	var dark, light int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			px = append(px, c)
			if near(c, darkBackground, 6) {
				dark++
			} else if near(c, lightBackground, 3) {
				light++
			}
		}
	}
	// The theme is the background that covers more; text is what stands out
	// from it.
	bg := darkBackground
	if light > dark {
		bg = lightBackground
	}
	r := report{pixels: len(px)}
	for _, c := range px {
		switch {
		case near(c, bg, 6):
			r.background++
		case near(c, primary, 24):
			r.primary++
		case abs(lum(c)-lum(bg)) > 100 && !near(c, color.RGBA{A: 0xff}, 8):
			r.text++
		}
	}
	return r
}

func near(a, b color.RGBA, d int) bool {
	return abs(int(a.R)-int(b.R)) <= d && abs(int(a.G)-int(b.G)) <= d && abs(int(a.B)-int(b.B)) <= d
}

func lum(c color.RGBA) int { return (299*int(c.R) + 587*int(c.G) + 114*int(c.B)) / 1000 }

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
