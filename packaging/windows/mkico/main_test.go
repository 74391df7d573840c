package main

import (
	"encoding/binary"
	"image"
	"image/color"
	"testing"
)

// TestEncode reads the icon back: the directory names each size, the
// entries point inside the file, and a pixel of each bitmap keeps the
// source's colour.
func TestEncode(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 512, 512))
	for y := 0; y < 512; y++ {
		for x := 0; x < 512; x++ {
			if x < 256 {
				src.SetRGBA(x, y, color.RGBA{R: 200, A: 255})
			} else {
				src.SetRGBA(x, y, color.RGBA{}) // transparent right half
			}
		}
	}
	sizes := []int{16, 48, 256}
	ico, err := encode(src, sizes)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	if le.Uint16(ico[2:]) != 1 || int(le.Uint16(ico[4:])) != len(sizes) {
		t.Fatalf("header %v", ico[:6])
	}
	for i, n := range sizes {
		e := ico[6+16*i:]
		side := int(e[0])
		if side == 0 {
			side = 256
		}
		if side != n || le.Uint16(e[6:]) != 32 {
			t.Errorf("entry %d: side %d, bits %d; want %d, 32", i, side, le.Uint16(e[6:]), n)
		}
		size, off := le.Uint32(e[8:]), le.Uint32(e[12:])
		if int(off+size) > len(ico) {
			t.Fatalf("entry %d runs past the file", i)
		}
		bmp := ico[off : off+size]
		if w, h := int32(le.Uint32(bmp[4:])), int32(le.Uint32(bmp[8:])); int(w) != n || int(h) != 2*n {
			t.Errorf("entry %d: bitmap %dx%d", i, w, h)
		}
		// Bottom-left pixel (the first stored) is red and opaque; bottom-right clear.
		px := bmp[40:]
		if px[0] != 0 || px[1] != 0 || px[2] != 200 || px[3] != 255 {
			t.Errorf("entry %d: left pixel BGRA %v, want 0 0 200 255", i, px[:4])
		}
		last := px[(n-1)*4:]
		if last[3] != 0 {
			t.Errorf("entry %d: right pixel alpha %d, want 0", i, last[3])
		}
	}
	if _, err := encode(src, []int{300}); err == nil {
		t.Error("a 300-pixel icon was accepted")
	}
}
