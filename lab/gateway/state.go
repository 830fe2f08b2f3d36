package gateway

import (
	"fmt"
	"strings"
)

// State is a device's state as the gateway sees it (docs/protocol.md §4).
type State uint8

const (
	Pending      State = iota // known key, not enrolled
	Enrolling                 // EnrollmentRequest received, answer not sent yet
	Enrolled                  // accepted; no heartbeat in a session yet
	Connected                 // a session is up and heartbeats arrive
	Unreachable               // session up, but N heartbeat intervals passed without one
	Disconnected              // the session ended
)

var stateNames = [...]string{"Pending", "Enrolling", "Enrolled", "Connected", "Unreachable", "Disconnected"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", s)
}

// States lists every state, in order.
func States() []State {
	out := make([]State, len(stateNames))
	for i := range out {
		out[i] = State(i)
	}
	return out
}

// ParseState is the inverse of String, ignoring case.
func ParseState(name string) (State, error) {
	for i, n := range stateNames {
		if strings.EqualFold(n, name) {
			return State(i), nil
		}
	}
	return 0, fmt.Errorf("gateway: unknown device state %q (want one of %s)", name, strings.Join(stateNames[:], ", "))
}

func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *State) UnmarshalText(b []byte) error {
	v, err := ParseState(string(b))
	*s = v
	return err
}

// Pairing says whether unknown keys may enroll.
type Pairing uint8

const (
	PairingAuto   Pairing = iota // any key the device CA signed enrolls (the default lab)
	PairingManual                // an unknown key waits in Pending for Approve or Reject
)

func (p Pairing) String() string {
	if p == PairingManual {
		return "manual"
	}
	return "auto"
}

// ParsePairing reads "auto" or "manual".
func ParsePairing(s string) (Pairing, error) {
	switch strings.ToLower(s) {
	case "auto", "on":
		return PairingAuto, nil
	case "manual", "off":
		return PairingManual, nil
	}
	return 0, fmt.Errorf("gateway: unknown pairing mode %q (want auto or manual)", s)
}

func (p Pairing) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

func (p *Pairing) UnmarshalText(b []byte) error {
	v, err := ParsePairing(string(b))
	*p = v
	return err
}
