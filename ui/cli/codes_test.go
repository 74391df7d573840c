package cli_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/mock"
	"hms/ui/cli"
)

func TestCodes(t *testing.T) {
	h := newHarness(t)
	h.createDB(true)
	var imported []app.DiagnosisCodeRow
	var system string
	h.clinic.codes = &mock.DiagnosisService{
		ImportCodesFn: func(ctx context.Context, s string, rows []app.DiagnosisCodeRow) (int, error) {
			if _, ok := app.CallerFromContext(ctx); !ok {
				return 0, app.ErrUnauthorized()
			}
			system, imported = s, rows
			return len(rows), nil
		},
		MorbidityReportFn: func(ctx context.Context, f app.MorbidityFilter) (*app.MorbidityReport, error) {
			if f.To.Sub(f.From) != 31*24*time.Hour {
				return nil, app.Errorf(app.EINVALID, "period %v to %v", f.From, f.To)
			}
			return &app.MorbidityReport{Rows: []app.MorbidityRow{{System: "ICD-10-CM", Code: "J45.909",
				Title: "Unspecified asthma, uncomplicated", Chapter: "10", AgeBand: "25-44", Sex: app.SexFemale, Count: 3}}}, nil
		},
		SearchCodesFn: func(ctx context.Context, q string, limit int) ([]*app.DiagnosisCode, error) {
			if q != "asthma" || limit != 20 {
				return nil, nil
			}
			return []*app.DiagnosisCode{{System: "ICD-10-CM", Code: "J45.909", Title: "Unspecified asthma, uncomplicated"}}, nil
		},
	}
	file := filepath.Join(h.dir, "codes.txt")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	line := func(order int, code string, valid int, title string) string {
		return fmt.Sprintf("%05d %-7s %d %-60s %s\n", order, code, valid, title, title)
	}

	t.Run("OrderFile", func(t *testing.T) {
		write(line(1, "J45", 0, "Asthma") + line(2, "J45909", 1, "Unspecified asthma, uncomplicated") + line(3, "I10", 1, "Essential (primary) hypertension"))
		res := h.run("", h.db("codes", "import", file)...)
		if res.code != cli.ExitOK || !strings.Contains(res.stdout, "Imported 2 codes as this desk's ICD-10-CM list") ||
			system != "ICD-10-CM" || len(imported) != 2 || imported[0].Code != "J45.909" || imported[0].Line != 2 {
			t.Fatalf("%+v %s %+v", res, system, imported)
		}
	})
	t.Run("CSV", func(t *testing.T) {
		imported = nil
		write("code,description\nJ45.9,\"Asthma bronchiale, nicht näher bezeichnet\"\n")
		res := h.run("", h.db("diagnoses", "import", "--system", "ICD-10-GM", file)...)
		if res.code != cli.ExitOK || system != "ICD-10-GM" || len(imported) != 1 || imported[0].Title != "Asthma bronchiale, nicht näher bezeichnet" {
			t.Fatalf("%+v %+v", res, imported)
		}
	})
	t.Run("BadFile", func(t *testing.T) {
		imported = nil
		write("code,description\nI10,Hypertension\nI11\n,No code\n")
		res := h.run("", h.db("codes", "import", file)...)
		if res.code != cli.ExitFailure || !strings.Contains(res.stderr, "line 3") || !strings.Contains(res.stderr, "line 4, code:") ||
			!strings.Contains(res.stderr, "nothing was imported: 2 problems") || imported != nil {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("Morbidity", func(t *testing.T) {
		res := h.run("", h.db("codes", "morbidity", "--from", "2026-01-01", "--to", "2026-01-31")...)
		if res.code != cli.ExitOK || res.stdout != "system,code,title,chapter,age_band,sex,count\nICD-10-CM,J45.909,\"Unspecified asthma, uncomplicated\",10,25-44,female,3\n" {
			t.Fatalf("%+v", res)
		}
		if res = h.run("", h.db("codes", "morbidity", "--from", "January")...); res.code != cli.ExitUsage {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("Search", func(t *testing.T) {
		res := h.run("", h.db("codes", "search", "asthma")...)
		if res.code != cli.ExitOK || !strings.Contains(res.stdout, "J45.909") || !strings.Contains(res.stdout, "Unspecified asthma") {
			t.Fatalf("%+v", res)
		}
		if res = h.run("", h.db("codes", "search")...); res.code != cli.ExitUsage {
			t.Fatalf("%+v", res)
		}
	})
}
