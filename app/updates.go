package app

import "context"

// UpdateService checks this desk's release location for a newer HMS and
// installs it (Settings → Updates, administrators). The release manifest is
// signed with the release key whose public half is built into HMS at
// release time (app/update); a build without it checks for nothing.
type UpdateService interface {
	// UpdateState is the running version, whether this build has a release
	// key, and the desk's release location.
	UpdateState(ctx context.Context) (*UpdateState, error)
	// SetUpdateLocation sets the release location: an http(s) address or a
	// folder (a network share). Field: "location".
	SetUpdateLocation(ctx context.Context, location string) (*UpdateState, error)
	// CheckForUpdate reads and checks the signed manifest at the location.
	CheckForUpdate(ctx context.Context) (*UpdateOffer, error)
	// InstallUpdate installs version, which CheckForUpdate offered and an
	// administrator chose: it refuses while a visit is open (a patient
	// checked in), downloads the package, checks its hash against the
	// manifest and the manifest's signature, backs the database up, and
	// then starts the installer (Windows) or opens the folder holding the
	// package (Linux, macOS). Nothing is installed without a person.
	InstallUpdate(ctx context.Context, version string) (*UpdateResult, error)
}

// UpdateState is Settings → Updates' header.
type UpdateState struct {
	Version  string // the running version
	Enabled  bool   // the build has a release key
	Location string // the release location, "" when none is set
}

// UpdateOffer is what a check found at the release location.
type UpdateOffer struct {
	Version   string // the release's version
	Date      string
	Notes     string
	Package   string // the package for this computer
	Size      int64  // bytes
	Available bool   // newer than the running version
}

// UpdateResult is what InstallUpdate did.
type UpdateResult struct {
	Version string
	Package string // the checked package's path
	Backup  string // the backup made before
	// Started is what was started: the installer (Windows), or the folder
	// opened for the person to install the package (Linux, macOS).
	Started string
	// Quit: HMS should close so the installer can replace it.
	Quit bool
}
