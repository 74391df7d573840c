package app

// Services bundles the services a desk offers, as main wires them for the
// GUI and the command line.
type Services struct {
	Users        UserService
	Settings     SettingsService
	Audit        AuditService
	Patients     PatientService
	Clinical     ClinicalService
	Attachments  AttachmentService
	Appointments AppointmentService
	Queue        QueueService
	Billing      BillingService
	Dashboard    DashboardService
	Drugs        DrugService
	Diagnoses    DiagnosisService
	Visits       VisitService
	Printing     PrintingService
	Sync         SyncService
	Drafts       DraftService
	Backups      BackupService
	Updates      UpdateService
	Messages     MessageService
}
