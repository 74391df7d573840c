package scan

// What ScanKeys must find (and not find): see TestScanKeysFindsCalls.

import "fmt"

type tr struct{}

func (tr) T(s string) string           { return s }
func (tr) F(s string, a ...any) string { return s }
func T(s string) string                { return s }
func Tf(s string, a ...any) string     { return s }
func N(s string) string                { return s }
func Nf(s string, a ...any) string     { return s }
func other(s string) string            { return s }

var t tr

var (
	_ = T("Book")
	_ = t.F("Method %d", 1)
	_ = Tf("Wrapped %s", "x")
	_ = N("Marked")
	_ = Nf("Built %d", 2)
	_ = t.T("Joined " + "literal")
	_ = other("not a key")
	_ = T(other("dynamic"))
)

// The domain's errors: app.Errorf and app.FieldErrorf's format (their
// second argument) is a key; fmt.Errorf's, and a bare Errorf outside
// package app, are not.
type errs struct{}

func (errs) Errorf(code, format string, a ...any) error       { return nil }
func (errs) FieldErrorf(field, format string, a ...any) error { return nil }
func Errorf(code, format string, a ...any) error              { return nil }

var app errs

var (
	_ = app.Errorf("invalid", "App error %s", "x")
	_ = app.FieldErrorf("name", "Field error")
	_ = app.Errorf("invalid", other("dynamic"))
	_ = fmt.Errorf("not a key: %w", nil)
	_ = Errorf("invalid", "not a key either")
)
