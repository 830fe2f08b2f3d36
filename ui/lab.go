package ui

import (
	"context"
	"time"

	"wasmbed-lab/lab"
	"wasmbed-lab/lab/gateway"
)

// Lab is what the UI shows and drives. *lab.Lab is the real one; model
// tests use a fake. Every call is made from a command, never from Update
// or View.
type Lab interface {
	Boards() []lab.BoardInfo
	Devices() []gateway.Device
	Status() (gateway.Status, bool)
	APIAddr() string
	CAFingerprint() string
	Subscribe() (<-chan gateway.Event, func())

	ConsoleStream(name string) (backlog []byte, bytes <-chan []byte, cancel func(), err error)
	ConsoleLines(name string, n int) ([]lab.Line, error)
	WriteConsole(name string, p []byte) error
	SaveConsole(name, dir string) (string, error)

	Reset(ctx context.Context, name string) error
	Kill(name string) error
	PowerOn(ctx context.Context, name string) (*lab.Board, error)
	PowerOff(ctx context.Context, name string) error
	CutLink(name string, d time.Duration) error
	CorruptLink(name string, rate float64) error
	DelayLink(name string, d time.Duration) error
	ClearLinkFaults(name string) error

	Approve(name string) error
	Reject(name string) error
	StopApp(name string) error
	DeployFile(ctx context.Context, path string, devices []string) ([]gateway.DeployOutcome, error)
}

// Apps is the apps directory and its hot redeploys: lab.AppWatcher is the
// real one.
type Apps interface {
	List() ([]string, error) // the deployable modules' paths
	SetHot(on bool)
	Hot() bool
	Redeploys() <-chan lab.Redeploy
}
