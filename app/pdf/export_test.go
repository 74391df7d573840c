package pdf

// SetCellHook sets cellHook for a test and returns what puts it back.
func SetCellHook(f func(w float64, s string, textW float64)) func() {
	old := cellHook
	cellHook = f
	return func() { cellHook = old }
}
