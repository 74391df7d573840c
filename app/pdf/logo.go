package pdf

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // the settings accept a JPEG logo
	"image/png"
	"net/http"
	"sync"
)

// maxLogoPx bounds the logo's longer side in pixels. A header prints it at
// most 40 mm wide, so 600 px is over 350 dpi: sharp on any printer, and a
// large photograph does not make every receipt large.
const maxLogoPx = 600

// preparedLogo is the clinic's logo in the form a document embeds fastest.
type preparedLogo struct {
	data []byte
	typ  string // fpdf's image type: "PNG" or "JPG"
}

// logoCache keeps the prepared form of the last logo seen: a clinic has
// one, and every document it prints shows it.
var logoCache struct {
	sync.Mutex
	key  [sha256.Size]byte
	logo *preparedLogo // nil: none prepared yet, or it cannot be read
	set  bool
}

// prepareLogo returns the logo ready to embed, preparing it on first use.
// fpdf embeds an opaque, non-interlaced PNG's compressed data as it is,
// but for a PNG with transparency it inflates the pixels, splits off the
// alpha channel and deflates both again, for every document (about 4 ms
// for a 512×512 logo). So a PNG is decoded once, flattened onto the white
// page, scaled down to maxLogoPx and encoded again as an opaque PNG; a
// JPEG, which fpdf copies without decoding, is kept unless it is larger
// than that. It returns nil when b is not a PNG or JPEG image it can read.
func prepareLogo(b []byte) *preparedLogo {
	key := sha256.Sum256(b)
	logoCache.Lock()
	defer logoCache.Unlock()
	if logoCache.set && logoCache.key == key {
		return logoCache.logo
	}
	logo := decodeLogo(b)
	logoCache.key, logoCache.logo, logoCache.set = key, logo, true
	return logo
}

func decodeLogo(b []byte) *preparedLogo {
	kind := http.DetectContentType(b)
	if kind != "image/png" && kind != "image/jpeg" {
		return nil
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	size := img.Bounds().Size()
	if size.X <= 0 || size.Y <= 0 {
		return nil
	}
	if kind == "image/jpeg" && max(size.X, size.Y) <= maxLogoPx {
		return &preparedLogo{data: bytes.Clone(b), typ: "JPG"} //i18n:ok an image type for fpdf
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, flatten(img)); err != nil {
		return nil
	}
	return &preparedLogo{data: buf.Bytes(), typ: "PNG"} //i18n:ok an image type for fpdf
}

// flatten draws img onto white, scaled down by a whole factor (averaging
// each block of pixels) so that its longer side is at most maxLogoPx. The
// result is opaque, which the PNG encoder writes as plain RGB.
func flatten(img image.Image) *image.RGBA {
	b := img.Bounds()
	n := (max(b.Dx(), b.Dy()) + maxLogoPx - 1) / maxLogoPx // the factor, 1 for a small logo
	src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(src, src.Bounds(), img, b.Min, draw.Over)
	if n == 1 {
		return src
	}
	w, h := (b.Dx()+n-1)/n, (b.Dy()+n-1)/n
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var r, g, bl, cnt int
			for sy := y * n; sy < min((y+1)*n, b.Dy()); sy++ {
				for sx := x * n; sx < min((x+1)*n, b.Dx()); sx++ {
					i := src.PixOffset(sx, sy)
					r, g, bl, cnt = r+int(src.Pix[i]), g+int(src.Pix[i+1]), bl+int(src.Pix[i+2]), cnt+1
				}
			}
			i := dst.PixOffset(x, y)
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = uint8(r/cnt), uint8(g/cnt), uint8(bl/cnt), 0xff
		}
	}
	return dst
}
