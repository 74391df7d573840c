package app

// Inside package app, Errorf, FieldErrorf and denied are called bare.

type Error struct{ Code, Field, Message string }

func Errorf(code, format string, a ...any) *Error       { return &Error{Code: code, Message: format} }
func FieldErrorf(field, format string, a ...any) *Error { return &Error{Field: field, Message: format} }
func denied(format string, a ...any) error              { return Errorf("unauthorized", format, a...) }

var (
	_ = Errorf("invalid", "Bare in app %d", 1)
	_ = FieldErrorf("name", "Field in app")
	_ = denied("Denied in app")
)
