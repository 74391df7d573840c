package assets

import _ "embed"

// FontRegular is DejaVu Sans, the UTF-8 font embedded in the PDFs HMS
// prints: it covers Latin with accents, Greek and Cyrillic, the scripts of
// the clinic's patients. Its license is fonts/LICENSE-DejaVu.txt.
//
//go:embed fonts/DejaVuSans.ttf
var FontRegular []byte

// FontBold is DejaVu Sans Bold, for headings and labels in PDFs.
//
//go:embed fonts/DejaVuSans-Bold.ttf
var FontBold []byte
