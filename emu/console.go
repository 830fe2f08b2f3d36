package emu

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// console is the lab's end of a board's console UART: the master of a pty
// whose tty side is the child's stdin and stdout.
//
// Like the link, it is always drained into a bounded queue: a STM32 USART
// blocks the vCPU when its output is not read.
type console struct {
	master   *os.File
	rx       *byteQueue
	pumpDone chan struct{}
}

// openConsole allocates a pty in raw mode so bytes pass verbatim, and
// starts draining it. The
// caller gives tty to the child and closes its own copy once the child has
// started.
func openConsole() (*console, *os.File, error) {
	master, tty, err := pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("emu: open pty: %w", err)
	}
	if err := makeRaw(tty); err != nil {
		master.Close()
		tty.Close()
		return nil, nil, fmt.Errorf("emu: pty raw mode: %w", err)
	}
	c := &console{master: master, rx: newByteQueue(linkBufferSize), pumpDone: make(chan struct{})}
	go c.pump()
	return c, tty, nil
}

// pump copies the pty output into the queue until the pty reports the
// other side closed (EIO once the child and every copy of the tty are gone).
func (c *console) pump() {
	defer close(c.pumpDone)
	defer c.rx.close()
	buf := make([]byte, 4096)
	for {
		n, err := c.master.Read(buf)
		if n > 0 {
			c.rx.push(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

// Read returns console output; io.EOF once the board exited and the output
// is drained.
func (c *console) Read(p []byte) (int, error) { return c.rx.Read(p) }

// Write types p on the board's console.
func (c *console) Write(p []byte) (int, error) {
	n, err := c.master.Write(p)
	if errors.Is(err, os.ErrClosed) {
		return n, ErrExited
	}
	return n, err
}

// close waits up to grace for the last output to be drained, then closes
// the master.
func (c *console) close(grace time.Duration) {
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-c.pumpDone:
	case <-t.C:
	}
	c.master.Close()
	<-c.pumpDone
}

// makeRaw sets a tty to raw mode (cfmakeraw: no echo, no line editing, no
// signal characters, no CR/LF translation). It also clears ONLCR, because
// QEMU's stdio chardev turns OPOST back on and "\n" would then reach the
// lab as "\r\n".
func makeRaw(tty *os.File) error {
	fd := int(tty.Fd())
	t, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return err
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST | unix.ONLCR | unix.OCRNL | unix.ONOCR | unix.ONLRET
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
	return unix.IoctlSetTermios(fd, ioctlSetTermios, t)
}
