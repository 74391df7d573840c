package data

import (
	"strconv"

	"hms/app"
	"hms/app/i18n"
)

// morbidity is the morbidity report as a table: the totals by ICD
// chapter, then by code, then each code by age band and sex, most
// frequent first within each part. It is read through the diagnoses'
// service, which keeps a doctor to their own patients and audits it.
func (b *reportBuilder) morbidity(r app.ReportRequest) (*app.Table, error) {
	from, _ := r.Period.From.Bounds(b.loc)
	to, _ := r.Period.To.Bounds(b.loc)
	rep, err := (&DiagnosisService{db: b.db}).MorbidityReport(b.ctx, app.MorbidityFilter{From: from, To: to})
	if err != nil {
		return nil, err
	}
	title := i18n.Nf("Morbidity: coded diagnoses")
	if rep.Doctor != "" {
		title = i18n.Nf("Morbidity: coded diagnoses of %s's patients", rep.Doctor)
	}
	t := app.NewTable(title, describePeriod(r.Period),
		i18n.Nf("Breakdown"), i18n.Nf("Code or chapter"), i18n.Nf("Title"), i18n.Nf("Age band"), i18n.Nf("Sex"), i18n.Nf("Diagnoses"))
	for _, c := range rep.ByChapter {
		t.AddRow(i18n.Nf("ICD chapter"), c.Key, c.Title, "", "", strconv.Itoa(c.Count))
	}
	for _, c := range rep.ByCode {
		t.AddRow(i18n.Nf("Code"), c.Key, c.Title, "", "", strconv.Itoa(c.Count))
	}
	for _, row := range rep.Rows {
		t.AddRow(i18n.Nf("Code, age and sex"), row.Code, row.Title, row.AgeBand, sexCell(row.Sex), strconv.Itoa(row.Count))
	}
	t.SetFooter(i18n.Nf("Total"), i18n.Text{}, i18n.Text{}, i18n.Text{}, i18n.Text{}, plain(strconv.Itoa(rep.Total)))
	return t, nil
}
