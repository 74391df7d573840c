//go:build !linux

package servertest

import (
	"errors"
	"os/exec"
	"syscall"
)

type owner struct{}

var errNotLinux = errors.New("a throwaway PostgreSQL is started only on Linux; set " + EnvURL)

func clusterOwner(string) (owner, error)     { return owner{}, errNotLinux }
func (owner) attr(bool) *syscall.SysProcAttr { return nil }
func startTied(*exec.Cmd) error              { return errNotLinux }
func processAlive(int) bool                  { return true }
