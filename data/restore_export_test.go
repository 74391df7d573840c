package data

// SetRestoreStep calls f before each step of a restore that writes a file.
func SetRestoreStep(f func(step string)) (reset func()) {
	old := restoreStep
	restoreStep = f
	return func() { restoreStep = old }
}
