package lab

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"wasmbed-lab/boards"
	"wasmbed-lab/lab/api"
	"wasmbed-lab/lab/gateway"
)

// DefaultStateDir is where a lab keeps its store when none is given:
// $XDG_STATE_HOME/wasmbed-lab, else ~/.local/state/wasmbed-lab.
func DefaultStateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "wasmbed-lab"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("lab: no state directory: set XDG_STATE_HOME or HOME, or pass --state: %w", err)
	}
	return filepath.Join(home, ".local", "state", "wasmbed-lab"), nil
}

// tokenFile holds the API token, readable by the lab's user only.
const tokenFile = "api-token"

// TokenPath is where a lab with this state directory keeps its API token.
func TokenPath(stateDir string) string { return filepath.Join(stateDir, tokenFile) }

// StartAPI serves the lab's HTTP API on addr (loopback unless allowRemote)
// and writes its token to a file in the state directory, whose path it
// returns: the token itself is never printed.
func (l *Lab) StartAPI(addr string, allowRemote bool) (srv *api.Server, tokenPath string, err error) {
	tokenPath = TokenPath(l.opts.StateDir)
	token := ""
	if b, err := os.ReadFile(tokenPath); err == nil {
		token = strings.TrimSpace(string(b)) // the same token across restarts
	}
	srv, err = api.New(api.Config{Addr: addr, AllowRemote: allowRemote, Token: token, Gateway: l.Gateway, Subscribe: l.Subscribe})
	if err != nil {
		return nil, "", err
	}
	if err := os.WriteFile(tokenPath, []byte(srv.Token()+"\n"), 0o600); err != nil {
		return nil, "", fmt.Errorf("lab: writing the API token: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, "", err
	}
	l.mu.Lock()
	l.api = srv
	l.mu.Unlock()
	return srv, tokenPath, nil
}

// DefaultFleet is the default lab: one board of each kind, named after it.
func DefaultFleet() []boards.Board { return boards.All() }

// ParseFleet reads a comma-separated list of board names.
func ParseFleet(list string) ([]boards.Board, error) {
	var out []boards.Board
	for _, name := range strings.Split(list, ",") {
		b, err := boards.Lookup(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, errors.New("lab: no boards")
	}
	return out, nil
}

// AddFleet boots each board as a device named after it (a second board of a
// kind gets "-2", and so on).
func (l *Lab) AddFleet(ctx context.Context, fleet []boards.Board) error {
	seen := map[string]int{}
	for _, bd := range fleet {
		seen[bd.Name]++
		name := bd.Name
		if n := seen[bd.Name]; n > 1 {
			name = fmt.Sprintf("%s-%d", bd.Name, n)
		}
		if _, err := l.AddBoard(ctx, name, BoardOptions{Board: bd}); err != nil {
			return err
		}
	}
	return nil
}

// FormatEvent is one line for a terminal log.
func FormatEvent(e gateway.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %-18s ", e.Time.Format("15:04:05.000"), e.Name)
	switch e.Kind {
	case gateway.EventState:
		if e.From == e.To {
			fmt.Fprintf(&b, "%s", e.To)
		} else {
			fmt.Fprintf(&b, "%s -> %s", e.From, e.To)
		}
	case gateway.EventAppPublish:
		fmt.Fprintf(&b, "%s %s %s = %s", e.Kind, e.App, e.Topic, publishedText(e.Data))
	case gateway.EventAppLog:
		fmt.Fprintf(&b, "%s %s: %s", e.Kind, e.App, e.Detail)
		return b.String()
	default:
		b.WriteString(e.Kind)
	}
	if e.Detail != "" {
		b.WriteString(" (" + e.Detail + ")")
	}
	return b.String()
}

// publishedText shows published bytes as text when they are printable
// ASCII, else as hex.
func publishedText(data []byte) string {
	for _, c := range data {
		if c < 0x20 || c > 0x7e {
			return "0x" + hex.EncodeToString(data)
		}
	}
	return strconv.Quote(string(data))
}
