package pdf

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"testing"

	"hms/assets"
)

// TestPrepareLogo: a PNG with transparency becomes an opaque PNG on white
// (which fpdf embeds without re-encoding), a large logo is scaled down, a
// small JPEG is kept as it is, and what is not an image gives nothing.
func TestPrepareLogo(t *testing.T) {
	icon := prepareLogo(assets.Icon)
	if icon == nil || icon.typ != "PNG" {
		t.Fatalf("icon: %+v", icon)
	}
	img, err := png.Decode(bytes.NewReader(icon.data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Fatalf("icon is %v, want 512×512", b)
	}
	if _, ok := img.(*image.RGBA); !ok { // the decoder returns NRGBA for a PNG with alpha
		t.Fatalf("prepared icon decodes as %T, want opaque RGB", img)
	}
	if r, g, b, _ := img.At(0, 0).RGBA(); r != 0xffff || g != 0xffff || b != 0xffff {
		t.Errorf("the icon's transparent corner is %v, want white", img.At(0, 0))
	}
	if again := prepareLogo(assets.Icon); again != icon {
		t.Error("the same logo is prepared twice")
	}

	big := image.NewNRGBA(image.Rect(0, 0, 1500, 900))
	for i := range big.Pix {
		big.Pix[i] = 0x80
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, big); err != nil {
		t.Fatal(err)
	}
	scaled := prepareLogo(buf.Bytes())
	cfg, err := png.DecodeConfig(bytes.NewReader(scaled.data))
	if err != nil || cfg.Width != 500 || cfg.Height != 300 {
		t.Fatalf("1500×900 logo prepared as %d×%d (%v), want 500×300", cfg.Width, cfg.Height, err)
	}

	small := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for i := range small.Pix {
		small.Pix[i] = 0xc0
	}
	buf.Reset()
	if err := jpeg.Encode(&buf, small, nil); err != nil {
		t.Fatal(err)
	}
	if j := prepareLogo(buf.Bytes()); j == nil || j.typ != "JPG" || !bytes.Equal(j.data, buf.Bytes()) {
		t.Errorf("small JPEG not kept as it is: %+v", j)
	}

	if p := prepareLogo([]byte("GIF89a not a logo")); p != nil {
		t.Errorf("not an image prepared as %+v", p)
	}
}
