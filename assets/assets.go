// Package assets holds files embedded in the hms binary: the application
// icon (also FyneApp.toml's, for `fyne package`).
package assets

import _ "embed"

// Icon is the application icon, a 512×512 PNG: a white cross on a teal
// rounded square.
//
//go:embed icon.png
var Icon []byte
