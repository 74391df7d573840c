package ui

import (
	"strings"
	"testing"

	"hms/app"
	"hms/app/i18n"
)

// TestRefusedMessageReasonTranslated: the Messages log shows why a
// message whose text was not the clinic's was refused (data.refuseText
// stores it in English) in the screen's language; a reason the catalogue
// does not know stays as stored. Fails on main (612b418), where every
// reason was shown as stored.
func TestRefusedMessageReasonTranslated(t *testing.T) {
	t.Cleanup(func() { setScreenLanguage(i18n.English) })
	refused := &app.Message{Status: app.MessageDropped,
		LastError: "its text is not what the clinic's templates say for this appointment: written again as they say"}
	other := &app.Message{Status: app.MessageDropped, LastError: "consent withdrawn"}
	for l, want := range map[i18n.Lang]string{
		i18n.Greek:   "Δεν στάλθηκε: το κείμενό του δεν είναι αυτό που ορίζουν τα πρότυπα του ιατρείου για αυτό το ραντεβού: γράφτηκε ξανά όπως ορίζουν",
		i18n.Spanish: "No enviado: su texto no es el que indican las plantillas de la clínica para esta cita: escrito de nuevo como indican",
	} {
		setScreenLanguage(l)
		if got := messageStatusText(nil, refused); got != want {
			t.Errorf("%s: %q, want %q", l, got, want)
		}
		if got := messageStatusText(nil, other); got != Tf("Not sent: %s", "consent withdrawn") {
			t.Errorf("%s: %q", l, got)
		}
	}
	// A message refused for a name that cannot go into one
	// (app.NameFitForMessage) says which name, translated too.
	named := &app.Message{Status: app.MessageDropped, LastError: "the doctor's name on record cannot go into a message: " +
		"correct it (a name holds letters, spaces and . , ' - only, no web address or number)"}
	for l, want := range map[i18n.Lang]string{
		i18n.Greek:   "Δεν στάλθηκε: το όνομα του γιατρού στο αρχείο δεν μπορεί να μπει σε μήνυμα: ",
		i18n.Spanish: "No enviado: el nombre del médico en la ficha no puede ir en un mensaje: ",
	} {
		setScreenLanguage(l)
		if got := messageStatusText(nil, named); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %q…", l, got, want)
		}
	}
}
