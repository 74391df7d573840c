package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// The columns of the dashboard's tables.
var (
	doctorFigureColumns = []listColumn{{i18n.N("Doctor"), 0, false}, {i18n.N("Appointments"), 130, true}, {i18n.N("No-shows"), 110, true},
		{i18n.N("Booked"), 110, true}, {i18n.N("Available"), 110, true}, {i18n.N("Utilization"), 120, true}}
	serviceColumns       = []listColumn{{i18n.N("Service"), 0, false}, {i18n.N("Quantity"), 100, true}, {i18n.N("Revenue"), 130, true}}
	doctorRevenueColumns = []listColumn{{i18n.N("Doctor"), 0, false}, {i18n.N("Revenue"), 130, true}}
)

// adminView is the clinic's dashboard of a period: patients, appointments
// by status, no-shows and each doctor's load (admins), revenue, payments
// by method, what is outstanding and the top services (admins and billing
// clerks), and their charts. Each figure opens the list behind it.
type adminView struct {
	u      *UI
	screen *dashboardScreen
	// clinical and financial are the parts the role may see.
	clinical, financial bool

	dash *app.Dashboard // the figures shown; nil before the first answer
	// seq numbers loads; answers to an older one are dropped.
	seq int
	// links are the small tiles that open a list, by what they stand for:
	// "status:no_show", "method:cash". The tables' rows are lists, whose
	// rows open theirs when selected.
	links map[string]*tapArea

	period  *periodPicker
	refresh *widget.Button
	heading *widget.Label

	patients     *figureTile
	newPatients  *figureTile
	appointments *figureTile
	noShows      *figureTile
	// The no-show rate of appointments reminded and not (a reminder sent
	// or none).
	reminded, notReminded *figureTile
	statuses              *fyne.Container // a small tile per status
	doctors               *figureList
	doctorFigures         []app.DoctorFigures // the rows of doctors
	diagnoses             *topDiagnoses
	clinicalBox           *fyne.Container

	revenue       *figureTile
	taken         *figureTile
	outstanding   *figureTile
	methods       *fyne.Container // a small tile per payment method
	services      *figureList
	topServices   []app.ServiceFigure // the rows of services
	doctorRevenue *figureList
	revenues      []app.DoctorRevenue // the rows of doctorRevenue
	money         func(app.Money) string
	financialBox  *fyne.Container

	charts *chartsView

	content fyne.CanvasObject
}

func newAdminView(u *UI, screen *dashboardScreen) *adminView {
	role := u.session.User.Role
	v := &adminView{u: u, screen: screen, links: map[string]*tapArea{},
		clinical: app.Can(role, app.PermViewStatistics), financial: app.Can(role, app.PermViewFinancial)}
	v.buildUI()
	return v
}

func (v *adminView) view() fyne.CanvasObject { return v.content }

func (v *adminView) buildUI() {
	v.period = newPeriodPicker(v.u, app.PeriodMonth, v.load)
	v.refresh = widget.NewButtonWithIcon(T("Refresh"), theme.ViewRefreshIcon(), v.load)
	v.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.heading.SizeName = theme.SizeNameSubHeadingText
	body := container.NewVBox()
	if v.clinical {
		body.Add(v.buildClinical())
	}
	if v.financial {
		body.Add(v.buildFinancial())
	}
	v.charts = newChartsView(v.u, v.clinical, v.financial)
	body.Add(v.charts.content)
	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, v.refresh, v.period.content),
		v.heading,
		widget.NewSeparator(),
	)
	page := container.NewVScroll(body)
	if v.clinical {
		v.doctors.wheel.page, v.diagnoses.list.wheel.page = page, page
	}
	if v.financial {
		v.doctorRevenue.wheel.page, v.services.wheel.page = page, page
	}
	v.content = container.NewBorder(top, nil, nil, nil, page)
}

func (v *adminView) buildClinical() fyne.CanvasObject {
	v.patients = newFigureTile(T("patients registered"), v.openPatients)
	v.newPatients = newFigureTile(T("new patients"), func() {
		v.drill(drillNewPatients, T("New patients"), app.DrillDown{})
	})
	v.appointments = newFigureTile(T("appointments"), func() {
		v.drill(drillAppointments, T("Appointments"), app.DrillDown{Standing: true})
	})
	v.noShows = newFigureTile(T("no-show rate"), func() {
		v.drill(drillAppointments, T("No-shows"), app.DrillDown{Status: app.AppointmentNoShow})
	})
	v.reminded = newSmallTile(nil)
	v.notReminded = newSmallTile(nil)
	v.statuses = tileRow()
	v.doctors = newFigureList(doctorFigureColumns, func() int { return len(v.doctorFigures) },
		v.updateDoctor, v.openDoctor)
	v.diagnoses = newTopDiagnoses(v.u)
	v.clinicalBox = container.NewVBox(
		sectionTitle(T("Patients and appointments")),
		tileRow(v.patients, v.newPatients, v.appointments, v.noShows),
		tileRow(v.reminded, v.notReminded),
		v.statuses,
		v.doctors.box,
		v.diagnoses.list.box,
	)
	return v.clinicalBox
}

func (v *adminView) buildFinancial() fyne.CanvasObject {
	v.revenue = newFigureTile(T("revenue"), func() {
		v.drill(drillInvoices, T("Invoices issued"), app.DrillDown{})
	})
	v.taken = newFigureTile(T("taken"), func() {
		v.drill(drillPayments, T("Payments and refunds"), app.DrillDown{})
	})
	v.outstanding = newFigureTile(T("outstanding now"), func() {
		v.drill(drillOutstanding, T("Outstanding invoices"), app.DrillDown{})
	})
	v.methods = tileRow()
	v.services = newFigureList(serviceColumns, func() int { return len(v.topServices) }, v.updateService, v.openService)
	v.doctorRevenue = newFigureList(doctorRevenueColumns, func() int { return len(v.revenues) },
		v.updateRevenue, v.openRevenue)
	v.financialBox = container.NewVBox(
		sectionTitle(T("Money")),
		tileRow(v.revenue, v.taken, v.outstanding),
		v.methods,
		container.NewBorder(nil, nil, container.New(widthLayout{420}, v.doctorRevenue.box), nil, v.services.box),
	)
	return v.financialBox
}

// load reads the figures and the charts of the period chosen.
func (v *adminView) load() {
	p, ok := v.period.period()
	if !ok {
		return
	}
	v.seq++
	seq := v.seq
	v.refresh.Disable()
	v.heading.SetText(Tf("%s: %s · loading…", periodLabel(p.Kind), p.String()))
	background(v.u, func(ctx context.Context) (*app.Dashboard, error) {
		return v.u.svc.Dashboard.Dashboard(ctx, p)
	}, func(d *app.Dashboard, err error) {
		if seq != v.seq {
			return
		}
		v.refresh.Enable()
		if err != nil {
			v.heading.SetText(periodLabel(p.Kind) + ": " + p.String())
			v.period.errs.show(err, v.u.win)
			return
		}
		v.show(d)
	})
	v.charts.load(p, func() bool { return seq == v.seq })
	if v.diagnoses != nil {
		v.diagnoses.load(p, func() bool { return seq == v.seq })
	}
}

// show fills every figure in.
func (v *adminView) show(d *app.Dashboard) {
	v.dash = d
	v.links = map[string]*tapArea{}
	v.heading.SetText(Tf("%s: %s · figures as of %s", periodLabel(d.Period.Kind), d.Period, clockOf(v.u, d.At)))
	if v.clinicalBox != nil {
		v.clinicalBox.Hidden = d.Clinical == nil
		if d.Clinical != nil {
			v.showClinical(d.Clinical)
		}
	}
	if v.financialBox != nil {
		v.financialBox.Hidden = d.Financial == nil
		if d.Financial != nil {
			v.showFinancial(d.Financial)
		}
	}
}

// showClinical fills in the patients, the appointments by status and
// each doctor's load.
func (v *adminView) showClinical(c *app.ClinicalFigures) {
	v.patients.setValue(numberText(c.PatientsTotal), widget.MediumImportance)
	v.newPatients.setValue(numberText(c.PatientsNew), widget.MediumImportance)
	v.appointments.setValue(numberText(c.AppointmentsTotal), widget.MediumImportance)
	v.noShows.setValue(percentText(c.NoShowRate), widget.MediumImportance)
	v.reminded.set(noShowFigureText(c.Reminded), T("no-shows after a reminder"), widget.MediumImportance)
	v.notReminded.set(noShowFigureText(c.NotReminded), T("no-shows without a reminder"), widget.MediumImportance)
	tiles := make([]*figureTile, 0, len(c.Appointments))
	for _, sc := range c.Appointments {
		status := sc.Status
		t := newSmallTile(func() {
			v.drill(drillAppointments, Tf("Appointments: %s", T(status.Label())), app.DrillDown{Status: status})
		})
		t.set(numberText(sc.Count), T(status.Label()), statusCountImportance(sc))
		v.links["status:"+string(status)] = t.tap
		tiles = append(tiles, t)
	}
	setTiles(v.statuses, tiles)
	v.doctorFigures = c.Doctors
	v.doctors.show(T("By doctor: hours booked of the hours they were available"), len(c.Doctors), T("No doctors."))
}

// updateDoctor shows a doctor's load in a row.
func (v *adminView) updateDoctor(id int, row *fyne.Container) {
	df := v.doctorFigures[id]
	util := "–"
	if df.AvailableMinutes > 0 {
		util = percentText(df.Utilization)
	}
	setColumnRow(row, widget.MediumImportance, df.DoctorName, numberText(df.Appointments), numberText(df.NoShows),
		hoursText(df.BookedMinutes), hoursText(df.AvailableMinutes), util)
}

// openDoctor opens the appointments of a doctor's row.
func (v *adminView) openDoctor(id int) {
	df := v.doctorFigures[id]
	v.drill(drillAppointments, Tf("Appointments of %s", df.DoctorName), app.DrillDown{DoctorID: df.DoctorID, Standing: true})
}

// statusCountImportance greys out the statuses nobody is in and marks the
// ones that need attention.
func statusCountImportance(sc app.StatusCount) widget.Importance {
	switch {
	case sc.Count == 0:
		return widget.LowImportance
	case sc.Status == app.AppointmentNoShow || sc.Status == app.AppointmentConflict:
		return widget.DangerImportance
	}
	return widget.MediumImportance
}

// showFinancial fills in the money: revenue, payments by method, the
// outstanding balance, revenue by doctor and the top services.
func (v *adminView) showFinancial(f *app.FinancialFigures) {
	d := billingDigits(f.Currency)
	money := func(m app.Money) string { return tr().Amount(int64(m), d) }
	v.money = money
	full := func(m app.Money) string { return tr().Money(int64(m), d, f.Currency) }
	v.revenue.set(full(f.Revenue),
		Tf("revenue, %s", countText(f.Invoices, T("invoice"), T("invoices"))), widget.MediumImportance)
	v.taken.set(full(f.NetTaken),
		Tf("taken: %s less %s refunded", money(f.Taken), money(f.Refunded)), widget.MediumImportance)
	v.outstanding.set(full(f.Outstanding),
		Tf("outstanding now, %s", countText(f.OutstandingInvoices, T("invoice"), T("invoices"))), outstandingImportance(f))

	tiles := make([]*figureTile, 0, len(f.Payments))
	for _, mt := range f.Payments {
		tiles = append(tiles, v.methodTile(mt, money))
	}
	setTiles(v.methods, tiles)

	v.revenues = f.Doctors
	v.doctorRevenue.show(T("Revenue by doctor"), len(f.Doctors), T("No revenue."))
	v.topServices = f.TopServices
	v.services.show(T("Top services by revenue"), len(f.TopServices), T("No services billed."))
}

// outstandingImportance marks the outstanding balance when there is one.
func outstandingImportance(f *app.FinancialFigures) widget.Importance {
	if f.Outstanding > 0 {
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

// methodTile is the money taken with one method, net of refunds; it opens
// the payments and refunds made with it.
func (v *adminView) methodTile(mt app.MethodTotal, money func(app.Money) string) *figureTile {
	method := mt.Method
	t := newSmallTile(func() {
		v.drill(drillPayments, Tf("Payments: %s", T(paymentMethodLabel(method))), app.DrillDown{Method: method})
	})
	imp := widget.MediumImportance
	if mt.Count == 0 {
		imp = widget.LowImportance
	}
	t.set(money(mt.Taken-mt.Refunded), T(paymentMethodLabel(method))+", "+countText(mt.Count, T("payment"), T("payments")), imp)
	v.links["method:"+string(method)] = t.tap
	return t
}

// updateRevenue shows a doctor's revenue in a row; the rest, attributed
// to no doctor, greyed.
func (v *adminView) updateRevenue(id int, row *fyne.Container) {
	dr := v.revenues[id]
	if dr.DoctorID == "" {
		setColumnRow(row, widget.LowImportance, T("Not attributed to a doctor"), v.money(dr.Revenue))
		return
	}
	setColumnRow(row, widget.MediumImportance, dr.DoctorName, v.money(dr.Revenue))
}

// openRevenue opens the invoices of a doctor's row; the rest opens
// nothing.
func (v *adminView) openRevenue(id int) {
	if dr := v.revenues[id]; dr.DoctorID != "" {
		v.drill(drillInvoices, Tf("Invoices of %s", dr.DoctorName), app.DrillDown{DoctorID: dr.DoctorID})
	}
}

// serviceName is how a service's row names it.
func serviceName(sf app.ServiceFigure) string { return sf.Code + " · " + sf.Name }

// updateService shows a service's revenue in a row; lines typed without
// a price list item greyed.
func (v *adminView) updateService(id int, row *fyne.Container) {
	sf := v.topServices[id]
	qty := numberText(int(sf.Quantity))
	if sf.Code == "" {
		setColumnRow(row, widget.LowImportance, T("Lines typed without a price list item"), qty, v.money(sf.Revenue))
		return
	}
	setColumnRow(row, widget.MediumImportance, serviceName(sf), qty, v.money(sf.Revenue))
}

// openService opens the invoices with a service's row; lines typed
// without a price list item open nothing.
func (v *adminView) openService(id int) {
	if sf := v.topServices[id]; sf.Code != "" {
		v.drill(drillInvoices, Tf("Invoices with %s", serviceName(sf)), app.DrillDown{Code: sf.Code})
	}
}

// drill opens the list behind a figure, for the period shown.
func (v *adminView) drill(kind drillKind, title string, d app.DrillDown) {
	if v.dash == nil {
		return
	}
	d.Period = v.dash.Period
	if kind != drillOutstanding {
		title += " · " + d.Period.String()
	}
	v.screen.openDrill(drillSpec{kind: kind, title: title, req: d})
}

// openPatients goes to the Patients area: the list behind the number of
// patients.
func (v *adminView) openPatients() {
	m := v.u.main
	if i := slices.Index(m.areas, app.AreaPatients); i >= 0 {
		m.nav.Select(i)
	}
}

// noShowFigureText is a group's no-show rate and what it is of: "5.0% of
// 40", or "–" when none of the group came or missed.
func noShowFigureText(f app.NoShowFigure) string {
	if f.Seen == 0 {
		return "–"
	}
	return Tf("%s of %s", percentText(f.Rate), numberText(f.Seen))
}
