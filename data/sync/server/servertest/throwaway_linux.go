package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
)

// owner is the account a throwaway cluster runs as.
type owner struct {
	uid, gid uint32
	asRoot   bool // the test runs as root, so the cluster runs as another account
}

// clusterOwner picks the cluster's account and gives it dir.
func clusterOwner(dir string) (owner, error) {
	if os.Geteuid() != 0 {
		return owner{}, nil
	}
	var u *user.User
	var err error
	for _, name := range []string{"postgres", "nobody"} {
		if u, err = user.Lookup(name); err == nil {
			break
		}
	}
	if err != nil {
		return owner{}, fmt.Errorf("running as root and no unprivileged account (postgres, nobody) to run initdb as")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	o := owner{uid: uint32(uid), gid: uint32(gid), asRoot: true}
	// The account must reach the folder: the temporary folder's parents are
	// world-searchable on every system tested; the folder itself is its.
	if err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	}); err != nil {
		return owner{}, err
	}
	return o, nil
}

// attr is the process attributes of a cluster program: under root, the
// cluster's account; for the server (tied), a signal when the test process
// goes, so that no server outlives its tests.
func (o owner) attr(tied bool) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true}
	if o.asRoot {
		a.Credential = &syscall.Credential{Uid: o.uid, Gid: o.gid, NoSetGroups: true}
	}
	if tied {
		// SIGQUIT: PostgreSQL's immediate shutdown.
		a.Pdeathsig = syscall.SIGQUIT
	}
	return a
}

// startTied starts cmd from a thread that lives as long as the process:
// the parent-death signal follows the thread that started the child.
func startTied(cmd *exec.Cmd) error {
	errc := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread stays until the process ends
		err := cmd.Start()
		errc <- err
		if err == nil {
			cmd.Wait()
		}
		select {} // keep the thread
	}()
	return <-errc
}

func processAlive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}
