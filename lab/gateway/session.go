package gateway

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"wasmbed-lab/lab/proto"
)

// session is one TLS session with a device.
type session struct {
	g     *Gateway
	conn  io.ReadWriteCloser // the TLS connection
	raw   net.Conn           // what it runs over
	board string
	tls   SessionTLS
	dev   *device // set by attach

	writeMu sync.Mutex
	nextID  uint64

	closeOnce sync.Once
	done      chan struct{} // closed by close
	waiting   bool          // an EnrollmentRequest waits for an operator (under g.mu)
}

func (s *session) close() {
	s.closeOnce.Do(func() {
		s.conn.Close()
		close(s.done)
	})
}

// run reads the device's messages until the session ends.
func (s *session) run(ctx context.Context) error {
	stop := context.AfterFunc(ctx, s.close)
	defer stop()
	defer s.close()
	for {
		env, err := proto.ReadMessage(s.conn, proto.FromDevice)
		var perr *proto.Error
		switch {
		case err == nil:
			s.handle(env)
		case errors.As(err, &perr):
			// A message we cannot decode: say so and go on, unless its
			// length prefix was refused and the stream lost its place.
			s.send(env.MsgID, proto.GatewayError{Code: perr.Code, Message: perr.Msg})
			if perr.Code == proto.CodeTooLarge {
				return fmt.Errorf("gateway: %s: %w", s.dev.Name, err)
			}
		case errors.Is(err, io.EOF):
			return nil
		default:
			return fmt.Errorf("gateway: %s: %w", s.dev.Name, err)
		}
	}
}

// send writes one message; errors end the session through the reader.
func (s *session) send(msgID uint64, m proto.Message) {
	b, err := proto.Encode(msgID, m)
	if err != nil {
		return // our own message cannot fail to encode but for a bug; the device's timeout recovers
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if _, err := s.conn.Write(b); err != nil {
		s.close()
	}
}

// reply answers a request (same msg_id); push sends a message of our own.
func (s *session) push(m proto.Message) {
	s.writeMu.Lock()
	s.nextID++
	id := s.nextID
	s.writeMu.Unlock()
	s.send(id, m)
}

func (s *session) handle(env proto.Envelope) {
	switch m := env.Msg.(type) {
	case proto.EnrollmentRequest:
		s.g.enroll(s)
	case proto.Heartbeat:
		s.g.heartbeat(s, env.MsgID, &m)
	case proto.DeviceInfo:
		s.g.deviceInfo(s, &m)
	case proto.PublicKey:
		if !s.keyMatches(m.Key[:]) {
			s.send(env.MsgID, proto.GatewayError{Code: proto.CodeBadField, Message: "public key differs from the certificate's"})
		}
	case proto.ApplicationDeployAck, proto.ApplicationStatus, proto.ApplicationStopAck, proto.AppEvent:
		s.appMessage(env.MsgID, m)
	case proto.DeviceError:
		s.g.emit(Event{Kind: EventDeviceError, Device: s.dev.ID, Name: s.dev.Name,
			Detail: fmt.Sprintf("%s: %s", m.Code, proto.QuoteText(m.Message))})
	default:
		code := proto.CodeUnexpected
		s.g.mu.Lock()
		if !s.dev.Enrolled {
			code = proto.CodeNotEnrolled
		}
		s.g.mu.Unlock()
		s.send(env.MsgID, proto.GatewayError{Code: code, Message: fmt.Sprintf("%T is not expected now", env.Msg)})
	}
}

func (s *session) keyMatches(key []byte) bool {
	pub, err := x509.ParsePKIXPublicKey(s.dev.spki)
	if err != nil {
		return false
	}
	k, ok := pub.(ed25519.PublicKey)
	return ok && k.Equal(ed25519.PublicKey(key))
}

// enroll answers an EnrollmentRequest: at once for a known device or in
// automatic pairing, else when an operator decides.
func (g *Gateway) enroll(s *session) {
	g.mu.Lock()
	d := s.dev
	decision := 0 // 1 accept, -1 reject, 0 wait
	switch {
	case d.Revoked:
		g.mu.Unlock()
		s.close() // revoked while its session was starting
		return
	case d.Rejected:
		decision = -1
	case d.Enrolled || g.pairing == PairingAuto:
		decision = 1
		g.setState(d, Enrolling, "enrollment requested")
	default:
		s.waiting = true
		g.setState(d, Pending, "waiting for an operator to approve")
	}
	g.mu.Unlock()
	switch decision {
	case 1:
		g.accept(s)
	case -1:
		s.push(proto.EnrollmentRejected{Reason: "rejected by the lab operator; approve the device to let it in"})
	}
}

// accept enrolls the session's device: the registry records it before the
// device hears so.
func (g *Gateway) accept(s *session) {
	g.decideMu.Lock()
	defer g.decideMu.Unlock()
	g.acceptHeld(s)
}

// acceptHeld is accept with g.decideMu held: no decision can come between
// the checks, the write and the change.
func (g *Gateway) acceptHeld(s *session) {
	d := s.dev
	g.mu.Lock()
	if d.Revoked || d.Rejected || d.session != s {
		g.mu.Unlock()
		return // a decision came first; it deals with the session
	}
	rec := toRecord(d)
	g.mu.Unlock()
	rec.Enrolled, rec.State = true, Enrolled.String()
	if err := g.store.PutDevice(rec); err != nil {
		s.push(proto.GatewayError{Code: proto.CodeInternal, Message: "the gateway could not record the enrollment; retry"})
		s.close()
		return
	}
	g.mu.Lock()
	d.Enrolled = true
	s.waiting = false
	g.setState(d, Enrolled, "")
	g.mu.Unlock()
	var id proto.UUID
	copy(id[:], DeviceIDBytes(d.spki))
	s.push(proto.DeviceUUID{UUID: id})
	s.push(proto.EnrollmentAccepted{HeartbeatMs: uint64(g.cfg.Heartbeat / time.Millisecond)})
}

func (g *Gateway) heartbeat(s *session, msgID uint64, m *proto.Heartbeat) {
	now := g.now()
	g.mu.Lock()
	d := s.dev
	if !d.Enrolled {
		g.mu.Unlock()
		s.send(msgID, proto.GatewayError{Code: proto.CodeNotEnrolled, Message: "heartbeat before enrollment"})
		return
	}
	d.lastBeat = now
	d.missedRun = 0
	d.LastSeen = now
	d.Heartbeats++
	d.UptimeMs = m.UptimeMs
	d.FreeRAM = m.FreeRAM
	d.Counters = append(d.Counters[:0], m.Counters...)
	if len(m.Counters) > proto.CounterHeartbeatRTTUs {
		d.RTT = time.Duration(m.Counters[proto.CounterHeartbeatRTTUs]) * time.Microsecond
	}
	d.dirty = true
	if !g.setState(d, Connected, "") {
		g.notifyLocked() // new figures, for WaitFor
	}
	g.appsReport(d, m.Apps)
	g.mu.Unlock()
	s.send(msgID, proto.HeartbeatAck{Seq: m.Seq})
}

func (g *Gateway) deviceInfo(s *session, m *proto.DeviceInfo) {
	g.mu.Lock()
	d := s.dev
	d.FirmwareVersion = m.FirmwareVersion
	d.Capabilities = append([]string(nil), m.Capabilities...)
	d.RAM = m.RAM
	if m.Board != "" {
		d.Board = m.Board
	}
	d.dirty = true
	g.notifyLocked()
	g.mu.Unlock()
}
