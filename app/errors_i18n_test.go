package app

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"hms/app/i18n"
)

// An error's message is said in the screen's language: its format and the
// labels passed into it are translated, its verbs filled in as in English,
// while Message stays English for the log.
func TestLocalErrorMessage(t *testing.T) {
	el, es := i18n.For(i18n.Greek), i18n.For(i18n.Spanish)

	// A label marked with i18n.N is translated with the format; the
	// rune's code and position stay numbers.
	err := CheckLine("full_name", i18n.N("The name"), "Ann\x1bBrown")
	if ErrorMessage(err) != "The name contains a control character (U+001B, character 4) that cannot be used: retype it." {
		t.Fatalf("English message = %q", ErrorMessage(err))
	}
	if got, want := LocalErrorMessage(err, el), "Το όνομα: περιέχει έναν χαρακτήρα ελέγχου (U+001B, χαρακτήρας 4) που δεν επιτρέπεται: πληκτρολογήστε το ξανά."; got != want {
		t.Errorf("Greek = %q, want %q", got, want)
	}
	if got, want := LocalErrorMessage(err, es), "El nombre: contiene un carácter de control (U+001B, carácter 4) que no se admite: vuelva a escribirlo."; got != want {
		t.Errorf("Spanish = %q, want %q", got, want)
	}
	if ErrorField(err) != "full_name" || ErrorCode(err) != EINVALID {
		t.Errorf("field %q code %q", ErrorField(err), ErrorCode(err))
	}

	// Verbs are kept: numbers and quoted text come through unchanged.
	err = Errorf(ECONFLICT, "This account is locked for %d minutes after %d failed logins. Try again later, or ask an administrator to unlock it.", 15, 5)
	if got := LocalErrorMessage(err, el); !strings.HasPrefix(got, "Αυτός ο λογαριασμός κλειδώθηκε για 15 λεπτά μετά από 5 αποτυχημένες") {
		t.Errorf("Greek with verbs = %q", got)
	}
	err = FieldErrorf("blood_group", "Unknown blood group %q: use A+, A-, B+, B-, AB+, AB-, O+ or O-.", "Z+")
	if got := LocalErrorMessage(err, es); got != `Grupo sanguíneo desconocido "Z+": use A+, A-, B+, B-, AB+, AB-, O+ u O-.` {
		t.Errorf("Spanish with %%q = %q", got)
	}
	// A user's text passed as an argument is not taken for a key.
	err = Errorf(ECONFLICT, "An allergy to %s is recorded already.", "penicillin")
	if got := LocalErrorMessage(err, el); got != "Μια αλλεργία σε penicillin έχει ήδη καταγραφεί." {
		t.Errorf("Greek with a user's text = %q", got)
	}

	// A lowered label is translated, then lowered.
	err = Errorf(ECONFLICT, "This appointment is %s already.", Lower("Cancelled"))
	if ErrorMessage(err) != "This appointment is cancelled already." {
		t.Errorf("English with Lower = %q", ErrorMessage(err))
	}
	if tr := el.T("Cancelled"); tr != "Cancelled" {
		if got, want := LocalErrorMessage(err, el), fmt.Sprintf("Αυτό το ραντεβού είναι ήδη %s.", strings.ToLower(tr)); got != want {
			t.Errorf("Greek with Lower = %q, want %q", got, want)
		}
	}

	// An error inside another ("Line %d: %s") is translated too, and On
	// keeps the translation while naming the field.
	inner := FieldErrorf("price", "The price cannot be negative.")
	err = Errorf(inner.Code, "Line %d: %s", 3, inner).On("lines[2].price")
	if ErrorMessage(err) != "Line 3: The price cannot be negative." || ErrorField(err) != "lines[2].price" {
		t.Errorf("nested: %q on %q", ErrorMessage(err), ErrorField(err))
	}
	if got := LocalErrorMessage(err, es); got != "Línea 3: El precio no puede ser negativo." {
		t.Errorf("Spanish nested = %q", got)
	}
	if got := LocalErrorMessage(AsError(inner, "other"), el); got != "Η τιμή δεν μπορεί να είναι αρνητική." {
		t.Errorf("AsError lost the translation: %q", got)
	}

	// Text no catalogue has stays English; English stays English.
	err = Errorf(EINVALID, "No catalogue has this text, %d.", 7)
	if got := LocalErrorMessage(err, el); got != "No catalogue has this text, 7." {
		t.Errorf("unknown text = %q", got)
	}
	if got := LocalErrorMessage(&Error{Code: EINVALID, Message: "Built by hand."}, es); got != "Built by hand." {
		t.Errorf("an Error without a format = %q", got)
	}
	if got := LocalErrorMessage(ErrUnauthorized(), i18n.For(i18n.English)); got != "You are not allowed to do this." {
		t.Errorf("English = %q", got)
	}

	// Any other error gives the generic message, translated; a wrapped
	// *Error is still found.
	raw := errors.New("sqlite: disk I/O error")
	if got := LocalErrorMessage(raw, el); got != "Κάτι πήγε στραβά μέσα στο HMS. Οι λεπτομέρειες είναι στο αρχείο καταγραφής· ενημερώστε τον διαχειριστή σας." {
		t.Errorf("generic Greek = %q", got)
	}
	if got := LocalErrorMessage(raw, i18n.For(i18n.English)); got != ErrorMessage(raw) {
		t.Errorf("generic English = %q", got)
	}
	if got := LocalErrorMessage(fmt.Errorf("booking: %w", ErrUnauthorized()), es); got != "No tiene permiso para hacer esto." {
		t.Errorf("wrapped = %q", got)
	}
	if LocalErrorMessage(nil, el) != "" {
		t.Error("nil error has a message")
	}
}

// An exception's date error is ParseDay's, translated as such.
func TestExceptionDateErrorTranslated(t *testing.T) {
	e := AvailabilityException{DoctorID: "d1", Date: "31/02"}
	err := e.Validate()
	if ErrorField(err) != "date" || ErrorMessage(err) != `"31/02" is not a date: write it as YYYY-MM-DD, e.g. 2026-03-29.` {
		t.Fatalf("err = %v", err)
	}
	if got := LocalErrorMessage(err, i18n.For(i18n.Spanish)); got != `"31/02" no es una fecha: escríbala como AAAA-MM-DD, p. ej. 2026-03-29.` {
		t.Errorf("Spanish = %q", got)
	}
}
