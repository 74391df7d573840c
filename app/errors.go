// Package app holds HMS desktop's domain: types, service interfaces,
// validation, roles and permissions, and coded errors. It imports neither
// Fyne nor database/sql; the data package implements its services and the ui
// package presents them.
package app

import (
	"errors"
	"fmt"
	"strings"

	"hms/app/i18n"
)

// Error codes. Every error a service returns carries one of them, so callers
// can decide what to do without parsing messages.
const (
	ECONFLICT     = "conflict"     // the action conflicts with existing data
	EINTERNAL     = "internal"     // something went wrong inside; not the user's fault
	EINVALID      = "invalid"      // the input is not acceptable
	ENOTFOUND     = "not_found"    // the record does not exist (or is not visible to the caller)
	EUNAUTHORIZED = "unauthorized" // the caller may not do this
	ESESSION      = "session"      // the caller's session ended: the account changed since the login
)

// Error is the one error type of the domain. Message is written for the
// person at the desk, in English (the log, the command line and the audit
// log show it so); Field names the input it concerns, when there is one,
// so a form can show the message next to that field.
//
// Format and Args are what Message was made of: Format is the English text
// with its verbs, a key of app/i18n's catalogues (ScanKeys finds it in
// every call of Errorf and FieldErrorf), so LocalErrorMessage can say the
// message in the language of the person at the screen. An Error built
// without them is shown in English.
type Error struct {
	Code    string
	Message string
	Field   string
	Format  string
	Args    []any
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("hms error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("hms error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
// format is a key of the catalogues (app/i18n): write it as a literal. A
// string argument that is itself a key (a field's label marked with
// i18n.N) is translated with it, and so is an *Error argument.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, english(args)...), Format: format, Args: args}
}

// FieldErrorf returns an EINVALID *Error about one input field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, english(args)...), Format: format, Args: args}
}

// english is args with every *Error among them replaced by its message:
// an error may be an argument of another ("Line %d: %s"), and is
// translated with it.
func english(args []any) []any {
	var out []any
	for i, a := range args {
		var english string
		switch v := a.(type) {
		case *Error:
			english = v.Message
		case i18n.Text:
			english = v.String()
		default:
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = english
	}
	if out == nil {
		return args
	}
	return out
}

// On returns a copy of e about the input field field (a conflict about one
// field: app.Errorf(app.ECONFLICT, …).On("start")).
func (e *Error) On(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

// Lower is a label (a key of the catalogues) shown in lower case inside a
// message: app.Errorf(…, "This appointment is %s already.",
// app.Lower(status.Label())) is translated, then lowered.
type Lower string

// String is the label in lower case.
func (l Lower) String() string { return strings.ToLower(string(l)) }

// AsError returns err as an *Error about the input field field, keeping
// its code, message and translation; any other error becomes an EINVALID
// one with the generic message.
func AsError(err error, field string) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e.On(field)
	}
	return &Error{Code: EINVALID, Field: field, Message: ErrorMessage(err), Format: genericMessage}
}

// ErrorCode returns the code of an application error, or EINTERNAL for any
// other non-nil error, or "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of an application error, or a
// generic message for any other error. Raw driver errors never reach a user.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return genericMessage
}

// genericMessage is the message of an error that is not an *Error: a
// driver's or the system's, whose text is for the log only.
var genericMessage = i18n.N("Something went wrong inside HMS. The details are in the log; please tell your administrator.")

// LocalErrorMessage is ErrorMessage in tr's language: the format of an
// *Error translated, with its string arguments that are keys (labels
// marked with i18n.N) translated too; text no catalogue has stays
// English; any other error gives the generic message, translated.
func LocalErrorMessage(err error, tr *i18n.Tr) string {
	var e *Error
	if err == nil {
		return ""
	} else if !errors.As(err, &e) {
		return tr.T(genericMessage)
	}
	if e.Format == "" {
		return tr.T(e.Message)
	}
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		switch v := a.(type) {
		case string:
			if v != "" && tr.Has(v) {
				a = tr.T(v)
			}
		case Lower:
			a = strings.ToLower(tr.T(string(v)))
		case *Error:
			a = LocalErrorMessage(v, tr)
		case i18n.Text:
			a = tr.Text(v)
		}
		args[i] = a
	}
	return fmt.Sprintf(tr.T(e.Format), args...)
}

// ErrorField returns the input field an error concerns, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrUnauthorized is the message every permission denial carries.
func ErrUnauthorized() *Error {
	return Errorf(EUNAUTHORIZED, "You are not allowed to do this.")
}

// Local is l in t's language, in lower case (i18n.Local: l as an
// argument of an i18n.Text).
func (l Lower) Local(t *i18n.Tr) string { return strings.ToLower(t.T(string(l))) }

// Local is e's message in t's language (i18n.Local: an error as an
// argument of an i18n.Text).
func (e *Error) Local(t *i18n.Tr) string { return LocalErrorMessage(e, t) }

// ErrorText is err's message as an i18n.Text, to show later in the
// language of the person at the screen: an *Error says itself in it,
// any other error is the generic message.
func ErrorText(err error) i18n.Text {
	var e *Error
	if !errors.As(err, &e) {
		return i18n.Text{Format: genericMessage}
	}
	return i18n.Text{Format: "%s", Args: []any{e}}
}
