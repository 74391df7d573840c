package app_test

import (
	"testing"

	"hms/app"
)

// TestWeakPasswordsRefused: the weak passwords of a probe of the policy,
// each refused, and a few strong ones accepted. The person is Helena
// Papadaki (username h.papadaki) of Riverside Clinic.
func TestWeakPasswordsRefused(t *testing.T) {
	if n := app.CommonPasswordCount(); n < 30_000 {
		t.Fatalf("the list has %d entries, want at least 30,000", n)
	}
	names := []string{"Helena Papadaki", "Riverside Clinic"}
	weak := []string{
		"Welcome123!!", "Summer2025!!", "Passw0rd!234", "Riverside Clinic", "riversideclinic1",
		"ｐａｓｓｗｏｒｄ１２３４", "ＷＥＬＣＯＭＥ２０２５", "Password1234", "P@ssw0rd2024!", "password123456",
		"passwordpassword", "qwertyuiop123", "123456789012", "111111111111", "abcabcabcabc",
		"iloveyou1234", "Iloveyou2025!", "Football2024!", "Baseball123!", "Dragon123456",
		"Monkey12345!", "letmein12345", "Letmein!2025", "Sunshine2025", "Princess2024!",
		"Shadow2025!!!", "Winter2026!!", "Autumn2024!!", "Spring2025!!", "Charlie12345",
		"h.papadaki2025", "H.Papadaki!!!", "Helena2025!!!", "Papadaki1234", "helenapapadaki",
		"Riverside2025", "Clinic123456!", "Adm1n1strator", "Trustno1trustno1", "S3cur1ty2025!",
		"Computer2025!", "Doctor123456", "Medical2025!!", "Changeme2025", "correct horse battery staple",
		"P a s s w o r d 1 2", "Passwort12345", "Zaq12wsxcde3",
	}
	for _, pw := range weak {
		if err := app.ValidatePassword(pw, "h.papadaki", names...); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%q accepted", pw)
		}
	}
	if len(weak) < 39 {
		t.Fatalf("only %d weak passwords tried", len(weak))
	}
	for _, pw := range []string{"tulip orbit canvas ferry", "Mango-Kettle-Violet-42", "qd8!Lz0@rW#m2Tq", "δέντρο ποτάμι φως 7",
		"purple elephants dance at noon"} {
		if err := app.ValidatePassword(pw, "h.papadaki", names...); err != nil {
			t.Errorf("%q refused: %v", pw, err)
		}
	}
}
