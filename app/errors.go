// Package app holds HMS desktop's domain: types, service interfaces,
// validation, roles and permissions, and coded errors. It imports neither
// Fyne nor database/sql; the data package implements its services and the ui
// package presents them.
package app

import (
	"errors"
	"fmt"
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
// person at the desk; Field names the input it concerns, when there is one,
// so a form can show the message next to that field.
type Error struct {
	Code    string
	Message string
	Field   string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("hms error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("hms error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID *Error about one input field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
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
	return "Something went wrong inside HMS. The details are in the log; please tell your administrator."
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
