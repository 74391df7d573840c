//go:build windows

package data

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// RestrictUmask does nothing on Windows, which has no umask: each file HMS
// makes gets its access list instead (ownerOnly).
func RestrictUmask() {}

// ownerOnly replaces the file's access list with one that grants full
// control to the user running HMS alone, and stops it inheriting the
// folder's entries (a protected DACL). Built here, not tested here.
func ownerOnly(path string) error {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return fmt.Errorf("owner-only %s: %w", path, err)
	}
	sd, err := windows.SecurityDescriptorFromString("D:P(A;OICI;FA;;;" + user.User.Sid.String() + ")")
	if err != nil {
		return fmt.Errorf("owner-only %s: %w", path, err)
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return fmt.Errorf("owner-only %s: %w", path, err)
	}
	if err := windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil); err != nil {
		return fmt.Errorf("owner-only %s: %w", path, err)
	}
	return nil
}
