package escpos

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// Sender sends raw bytes to a receipt printer. Its fields are swapped in
// tests; NewSender gives the real ones.
type Sender struct {
	// Open opens a device file for writing.
	Open func(path string) (io.WriteCloser, error)
	// Dial connects to a network printer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Run runs a program with stdin and returns its combined output.
	Run func(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error)
}

// NewSender is a Sender on the real device files, network and spooler.
func NewSender() Sender {
	var d net.Dialer
	return Sender{
		Open: func(path string) (io.WriteCloser, error) { return os.OpenFile(path, os.O_WRONLY, 0) },
		Dial: d.DialContext,
		Run: func(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
			cmd := exec.CommandContext(ctx, name, args...)
			cmd.Stdin = strings.NewReader(string(stdin))
			return cmd.CombinedOutput()
		},
	}
}

var (
	comPort   = regexp.MustCompile(`(?i)^COM[0-9]+$`)
	netTarget = regexp.MustCompile(`^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$`)
)

// TargetKind says how Send reaches target: "device" for a device file
// (/dev/usb/lp0, \\.\COM3, COM1), "network" for host:port (a network
// printer's raw port, usually 9100), "queue" for the spooler's queue of
// that name (the default queue for "").
func TargetKind(target string) string {
	switch {
	case strings.HasPrefix(target, "/") || strings.HasPrefix(target, `\\`) || comPort.MatchString(target):
		return "device"
	case netTarget.MatchString(target):
		return "network"
	}
	return "queue"
}

// Send writes data to target (see TargetKind), giving it 30 seconds. The
// spooler's queue gets the job raw (lp -o raw), as is, without a driver.
func (s Sender) Send(ctx context.Context, target string, data []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	switch TargetKind(target) {
	case "device":
		f, err := s.Open(target)
		if err != nil {
			return fmt.Errorf("open %s: %w", target, err)
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", target, err)
		}
		return f.Close()
	case "network":
		c, err := s.Dial(ctx, "tcp", target)
		if err != nil {
			return fmt.Errorf("connect to %s: %w", target, err)
		}
		if dl, ok := ctx.Deadline(); ok {
			c.SetWriteDeadline(dl)
		}
		if _, err := c.Write(data); err != nil {
			c.Close()
			return fmt.Errorf("send to %s: %w", target, err)
		}
		return c.Close()
	}
	args := []string{"-o", "raw"}
	if target != "" {
		args = append([]string{"-d", target}, args...)
	}
	if out, err := s.Run(ctx, data, "lp", args...); err != nil {
		detail := strings.TrimSpace(string(out))
		if detail == "" {
			detail = err.Error()
		}
		return fmt.Errorf("lp: %s", detail)
	}
	return nil
}
