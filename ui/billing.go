package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"hms/app"
)

// billingView is one tab of the Billing area.
type billingView interface {
	load()
	view() fyne.CanvasObject
}

// billingScreen is the Billing area: invoices and payments, the price list,
// outstanding invoices, the desk's cash-up and each cashier's day. Each tab reloads when it is shown.
type billingScreen struct {
	u *UI

	tabs        *container.AppTabs
	invoices    *invoicesView
	prices      *priceListView
	outstanding *outstandingView
	cashUp      *cashUpView
	deskCashUp  *deskCashUpView
	overpaid    *overpaidView
	byItem      map[*container.TabItem]billingView

	content fyne.CanvasObject
}

func newBillingScreen(u *UI) *billingScreen {
	s := &billingScreen{u: u, byItem: map[*container.TabItem]billingView{}}
	role := u.session.User.Role
	s.tabs = container.NewAppTabs()
	add := func(title string, icon fyne.Resource, v billingView) {
		item := container.NewTabItemWithIcon(title, icon, v.view())
		s.byItem[item] = v
		s.tabs.Append(item)
	}
	s.invoices = newInvoicesView(u)
	add(T("Invoices"), theme.DocumentIcon(), s.invoices)
	if app.Can(role, app.PermManageBilling) {
		s.outstanding = newOutstandingView(u)
		add(T("Outstanding"), theme.WarningIcon(), s.outstanding)
		s.overpaid = newOverpaidView(u)
		add(T("Billing conflicts"), theme.ErrorIcon(), s.overpaid)
	}
	if app.Can(role, app.PermManageBilling) {
		s.deskCashUp = newDeskCashUpView(u)
		add(T("Cash-up"), theme.ConfirmIcon(), s.deskCashUp)
	}
	s.cashUp = newCashUpView(u)
	add(T("Cashier's day"), theme.ListIcon(), s.cashUp)
	s.prices = newPriceListView(u)
	add(T("Price list"), theme.MenuIcon(), s.prices)
	s.tabs.OnSelected = func(item *container.TabItem) {
		u.touch()
		if v := s.byItem[item]; v != nil {
			v.load()
		}
	}
	s.content = s.tabs
	return s
}

// load reloads the tab shown.
func (s *billingScreen) load() {
	if v := s.byItem[s.tabs.Selected()]; v != nil {
		v.load()
	}
}

// moneyText is an amount with its currency's code, written the way the
// screens' language writes numbers: "1,234.50 EUR", "1.234,50 EUR".
func moneyText(m app.Money, currency string) string {
	return tr().Money(int64(m), app.CurrencyDigits(currency), currency)
}

// amountText is an amount of minor units with digits decimals in the
// screens' language; entries keep app.FormatAmount, which parses back.
func amountText(m app.Money, digits int) string { return tr().Amount(int64(m), digits) }
