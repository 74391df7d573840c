package data

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"hms/app"
)

// DemoOptions shape the demo data.
type DemoOptions struct {
	Patients int       // how many patients (default 500)
	Seed     uint64    // the same seed gives the same people
	Out      io.Writer // where the staff credentials are printed; nil prints nothing
}

// DemoCredentials are the accounts GenerateDemo creates, by username, with
// their passwords, so a newcomer can log in as every role.
var DemoCredentials = []struct {
	Username, Password, FullName string
	Role                         app.Role
}{
	{"admin", "demo admin password", "Amara Okafor", app.RoleAdmin},
	{"dr.house", "demo doctor password", "Dr. Helena Papadaki", app.RoleDoctor},
	{"dr.ivanova", "demo doctor password", "Dr. Анна Иванова", app.RoleDoctor},
	{"nurse.joy", "demo nurse password", "Joy Mwangi", app.RoleNurse},
	{"reception", "demo reception password", "Lucas Moreau", app.RoleReception},
	{"billing", "demo billing password", "Priya Raman", app.RoleBilling},
	{"patient", "demo patient password", "", app.RolePatient},
}

// demoNames are given and family names in the scripts a clinic meets:
// Latin with accents, Greek, Cyrillic. Given names and the family names
// that differ by sex (Greek, Russian) are listed for each sex, so that a
// record's name matches its recorded sex.
var (
	demoGivenFemale = strings.Fields(`Maria Zoë Chloé Renée Ana Lucía Ayşe Amara Wanjiru Fatima Priya Mei Elena Olga Sofia
	Emma Olivia Μαρία Ελένη Κατερίνα Σοφία Ольга Наталья Анна Татьяна Hélène Åsa Małgorzata Ilse Giulia Aoife Siobhán`)
	demoGivenMale = strings.Fields(`José Björn Søren Łukasz Zoltán João Mateo Emre Chinedu Kofi Omar Arjun Hiroshi Ivan
	Noah Liam Γιώργος Νίκος Δημήτρης Αλέξανδρος Иван Дмитрий Сергей Михаил François Jürgen Ñuño Øystein Matteo Seán`)
)

var demoFamily = strings.Fields(`García Müller Dubois Rossi Nowak Novák Horváth Jensen Andersson Silva Santos
	Fernández López Yılmaz Öztürk Okafor Mensah Mwangi Kamau Haddad Khan Sharma Patel Wang Tanaka Kim Nguyen Smith
	Brown O'Brien Murphy Schmidt Weiß Lefèvre Müller-Lüdenscheidt Gößmann Dvořák Γεωργίου Νικολάου Οικονόμου
	Ødegård Ångström Çelik Đorđević`)

// demoFamilyBySex are family names whose form follows the sex: the female
// and the male form of each.
var demoFamilyBySex = [][2]string{{"Παπαδοπούλου", "Παπαδόπουλος"}, {"Иванова", "Иванов"}, {"Смирнова", "Смирнов"},
	{"Кузнецова", "Кузнецов"}, {"Попова", "Попов"}, {"Соколова", "Соколов"}, {"Петрова", "Петров"},
	{"Kowalska", "Kowalski"}, {"Ní Bhriain", "Ó Briain"}}

// demoName picks a given and a family name that match sex, from n1 and n2
// (random numbers).
func demoName(sex app.Sex, n1, n2 int) (given, family string) {
	givens := demoGivenMale
	if sex == app.SexFemale {
		givens = demoGivenFemale
	}
	given = givens[n1%len(givens)]
	if k := n2 % (len(demoFamily) + len(demoFamilyBySex)); k < len(demoFamily) {
		family = demoFamily[k]
	} else if pair := demoFamilyBySex[k-len(demoFamily)]; sex == app.SexFemale {
		family = pair[0]
	} else {
		family = pair[1]
	}
	return given, family
}

var demoStreets = strings.Split("Acacia Avenue|Rue de la Paix|Hauptstraße|Via Roma|Οδός Ερμού|улица Ленина|Calle Mayor|Main Street|Station Road|Market Lane", "|")

// GenerateDemo fills a database with a set-up clinic, an account of every
// role (their credentials printed to opt.Out) and opt.Patients patients
// spread over five years. It refuses a database that is set up already.
func GenerateDemo(ctx context.Context, db *DB, opt DemoOptions) error {
	if opt.Patients <= 0 {
		opt.Patients = 500
	}
	// Demo data stays out of the outbox (see withoutOutbox).
	ctx = withoutOutbox(ctx)
	svc := db.Services()
	need, err := svc.Settings.NeedsSetup(ctx)
	if err != nil {
		return err
	}
	if !need {
		return app.Errorf(app.ECONFLICT, "This database is set up already: the demo needs a new database file.")
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x484d53))
	admin := DemoCredentials[0]
	adminUser, err := svc.Settings.Setup(ctx, app.ClinicSetup{
		Settings: app.Settings{ClinicName: "Riverside Family Clinic", Address: "12 Riverside Walk, 10557 Athens",
			Phone: "+30 210 555 0100", TaxID: "EL099887766", Currency: "EUR", TimeZone: "Europe/Athens",
			AutoLockMinutes: app.DefaultAutoLockMinutes},
		AdminUsername: admin.Username, AdminFullName: admin.FullName, AdminPassword: admin.Password,
	})
	if err != nil {
		return fmt.Errorf("demo setup: %w", err)
	}
	asAdmin := app.NewContextWithCaller(ctx, app.Caller{UserID: adminUser.ID, Username: adminUser.Username, Role: app.RoleAdmin})
	// The dashboard's summaries take the clinic's time zone before the bulk
	// loads below, so that their triggers file every row under its local day.
	if err := db.RefreshDashboard(asAdmin); err != nil {
		return fmt.Errorf("demo dashboard: %w", err)
	}
	for _, cr := range DemoCredentials[1:] {
		if cr.Role == app.RolePatient {
			_, err = svc.Users.RegisterPatient(ctx, app.PatientRegistration{Username: cr.Username, GivenName: "Ελένη",
				FamilyName: "Παπαδοπούλου", Sex: app.SexFemale, BirthDate: "1987-04-12", Phone: "+30 697 555 0123",
				Email: "eleni@example.org", Password: cr.Password})
		} else {
			_, err = svc.Users.CreateUser(asAdmin, app.UserCreate{Username: cr.Username, FullName: cr.FullName,
				Role: cr.Role, Password: cr.Password})
		}
		if err != nil {
			return fmt.Errorf("demo account %s: %w", cr.Username, err)
		}
	}
	if _, err := svc.Users.RegisterStaff(ctx, app.StaffRegistration{Username: "nurse.pending", FullName: "Tomás Ortega",
		Role: app.RoleNurse, Password: "waiting for approval"}); err != nil {
		return fmt.Errorf("demo pending account: %w", err)
	}
	if err := db.bulkPatients(asAdmin, rng, opt.Patients-1); err != nil {
		return err
	}
	prices, err := db.demoPriceList(asAdmin)
	if err != nil {
		return err
	}
	if err := db.demoClinical(asAdmin, rng, opt.Patients); err != nil {
		return err
	}
	if err := db.demoAttachments(ctx, rng); err != nil {
		return err
	}
	if err := db.demoAppointments(asAdmin, rng, opt.Patients); err != nil {
		return err
	}
	if err := db.demoBilling(asAdmin, rng, opt.Patients, prices); err != nil {
		return err
	}
	if opt.Out != nil {
		fmt.Fprintf(opt.Out, "Demo clinic %q with %d patients.\nAccounts (username / password):\n", "Riverside Family Clinic", opt.Patients)
		for _, cr := range DemoCredentials {
			fmt.Fprintf(opt.Out, "  %-10s %-12s / %s\n", cr.Role, cr.Username, cr.Password)
		}
		fmt.Fprintf(opt.Out, "  (nurse.pending waits for an administrator's approval)\n")
	}
	return nil
}

// bulkPatients inserts n patients in batches, each batch one transaction
// with its audit row, numbering them from the desk's series.
func (db *DB) bulkPatients(ctx context.Context, rng *rand.Rand, n int) error {
	const batch = 20000
	end := db.now().UTC()
	start := end.AddDate(-5, 0, 0)
	span := end.Sub(start)
	for done := 0; done < n; {
		size := min(batch, n-done)
		err := db.write(ctx, "patient.import", func(tx *Tx) error {
			series := tx.series(seriesPatient, 0)
			stmt, err := tx.PrepareContext(ctx, `INSERT INTO patients (id, mrn, given_name, family_name, sex,
				birth_date, phone, email, address, search_name, phone_digits, activity_seq, last_activity_at,
				created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
				(SELECT coalesce(max(activity_seq), 0) + 1 FROM patients), ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer stmt.Close()
			event, err := tx.PrepareContext(ctx, `INSERT INTO patient_events (id, patient_id, at, kind, summary, ref_id, by_user)
				VALUES (?, ?, ?, 'registration', ?, ?, 'demo')`)
			if err != nil {
				return err
			}
			defer event.Close()
			var first, last int64
			for i := 0; i < size; i++ {
				num, err := tx.nextNumber(series)
				if err != nil {
					return err
				}
				if i == 0 {
					first = num
				}
				last = num
				// Registered in order over five years, so newer numbers are newer people.
				created := start.Add(time.Duration(float64(span) * float64(done+i) / float64(n)))
				n1, n2 := rng.IntN(1<<20), rng.IntN(1<<20)
				sex := app.SexFemale
				if rng.IntN(2) == 0 {
					sex = app.SexMale
				}
				given, family := demoName(sex, n1, n2)
				birth := time.Date(1930+rng.IntN(95), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
				phone := fmt.Sprintf("+30 69%d %03d %04d", rng.IntN(10), rng.IntN(1000), rng.IntN(10000))
				email := ""
				if rng.IntN(3) > 0 {
					email = fmt.Sprintf("patient%d@example.org", num)
				}
				address := fmt.Sprintf("%d %s", 1+rng.IntN(200), demoStreets[rng.IntN(len(demoStreets))])
				ts := formatTime(created)
				id, mrn := newIDAt(created, rng), series.Number(num)
				name, digits := patientSearchFields(given, family, phone)
				if _, err := stmt.ExecContext(ctx, id, mrn, given, family, sex, birth.Format(app.DateLayout), phone, email,
					address, name, digits, ts, ts, ts); err != nil {
					return err
				}
				if _, err := event.ExecContext(ctx, newIDAt(created, rng), id, ts, "Registered as "+mrn, id); err != nil {
					return err
				}
			}
			tx.Audit("patient.import", "patients", "", "", fmt.Sprintf("demo data: %d patients, %s to %s", size, series.Number(first), series.Number(last)))
			return nil
		})
		if err != nil {
			return fmt.Errorf("demo patients: %w", err)
		}
		done += size
	}
	return nil
}
