package scan

// What ScanKeys must find (and not find): see TestScanKeysFindsCalls.

type tr struct{}

func (tr) T(s string) string           { return s }
func (tr) F(s string, a ...any) string { return s }
func T(s string) string                { return s }
func Tf(s string, a ...any) string     { return s }
func N(s string) string                { return s }
func other(s string) string            { return s }

var t tr

var (
	_ = T("Book")
	_ = t.F("Method %d", 1)
	_ = Tf("Wrapped %s", "x")
	_ = N("Marked")
	_ = t.T("Joined " + "literal")
	_ = other("not a key")
	_ = T(other("dynamic"))
)
