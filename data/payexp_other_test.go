//go:build !linux

package data_test

import "testing"

// payExperiment: the experiments of payexp_linux_test.go are Linux's.
type payExperiment struct{}

func startPayExperiment(*testing.B) *payExperiment { return &payExperiment{} }
func (*payExperiment) serial() bool                { return false }
func (*payExperiment) before()                     {}
func (*payExperiment) after()                      {}
func (*payExperiment) done()                       {}
