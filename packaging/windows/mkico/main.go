// Command mkico writes a Windows icon (.ico) from a square PNG: the sizes
// Windows shows (16 to 256 pixels), each an uncompressed 32-bit bitmap with
// alpha, which windres and makensis both read.
//
//	go run ./packaging/windows/mkico assets/icon.png OUT.ico
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
)

// sizes are the icon's images, in pixels.
var sizes = []int{16, 24, 32, 48, 64, 256}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: mkico IN.png OUT.ico")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "mkico:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	src, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if b := src.Bounds(); b.Dx() != b.Dy() || b.Dx() < 256 {
		return fmt.Errorf("%s is %dx%d: the icon needs a square image of at least 256 pixels", in, b.Dx(), b.Dy())
	}
	ico, err := encode(src, sizes)
	if err != nil {
		return err
	}
	return os.WriteFile(out, ico, 0o644)
}

// encode is the .ico file holding src scaled to each size.
func encode(src image.Image, sizes []int) ([]byte, error) {
	var dir, images bytes.Buffer
	le := binary.LittleEndian
	binary.Write(&dir, le, [3]uint16{0, 1, uint16(len(sizes))}) // reserved, type icon, count
	offset := 6 + 16*len(sizes)
	for _, n := range sizes {
		if n < 1 || n > 256 {
			return nil, fmt.Errorf("icon size %d is not 1 to 256", n)
		}
		img := dib(scale(src, n))
		side := byte(n)
		if n == 256 {
			side = 0 // 0 means 256
		}
		dir.Write([]byte{side, side, 0, 0})
		binary.Write(&dir, le, [2]uint16{1, 32}) // planes, bits per pixel
		binary.Write(&dir, le, [2]uint32{uint32(len(img)), uint32(offset + images.Len())})
		images.Write(img)
	}
	return append(dir.Bytes(), images.Bytes()...), nil
}

// scale shrinks src to n×n pixels, each the mean of the source pixels whose
// centres fall in it (premultiplied, so transparent edges do not darken).
func scale(src image.Image, n int) *image.RGBA {
	b := src.Bounds()
	w := b.Dx()
	type acc struct{ r, g, b, a, n uint64 }
	sums := make([]acc, n*n)
	for y := 0; y < w; y++ {
		ty := (2*y + 1) * n / (2 * w)
		for x := 0; x < w; x++ {
			tx := (2*x + 1) * n / (2 * w)
			r, g, bl, a := src.At(b.Min.X+x, b.Min.Y+y).RGBA() // premultiplied, 16-bit
			s := &sums[ty*n+tx]
			s.r += uint64(r)
			s.g += uint64(g)
			s.b += uint64(bl)
			s.a += uint64(a)
			s.n++
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, n, n))
	for i, s := range sums {
		if s.n == 0 {
			continue
		}
		dst.SetRGBA(i%n, i/n, color.RGBA{
			R: uint8(s.r / s.n >> 8), G: uint8(s.g / s.n >> 8), B: uint8(s.b / s.n >> 8), A: uint8(s.a / s.n >> 8),
		})
	}
	return dst
}

// dib is img as an icon bitmap: a BITMAPINFOHEADER of double height, the
// pixels bottom-up as BGRA (straight alpha), then an all-clear AND mask.
func dib(img *image.RGBA) []byte {
	n := img.Bounds().Dx()
	maskRow := (n + 31) / 32 * 4
	var buf bytes.Buffer
	le := binary.LittleEndian
	binary.Write(&buf, le, struct {
		Size                  uint32
		Width, Height         int32
		Planes, BitCount      uint16
		Compression, Image    uint32
		XPels, YPels          int32
		ClrUsed, ClrImportant uint32
	}{40, int32(n), int32(2 * n), 1, 32, 0, uint32(n*n*4 + n*maskRow), 0, 0, 0, 0})
	for y := n - 1; y >= 0; y-- {
		for x := 0; x < n; x++ {
			c := img.RGBAAt(x, y)
			r, g, b := unpremultiply(c.R, c.A), unpremultiply(c.G, c.A), unpremultiply(c.B, c.A)
			buf.Write([]byte{b, g, r, c.A})
		}
	}
	buf.Write(make([]byte, n*maskRow))
	return buf.Bytes()
}

func unpremultiply(v, a uint8) uint8 {
	if a == 0 {
		return 0
	}
	x := uint32(v) * 255 / uint32(a)
	if x > 255 {
		x = 255
	}
	return uint8(x)
}
