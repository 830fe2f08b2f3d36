package gateway

import (
	"fmt"

	"wasmbed-lab/lab/proto"
)

// Approve lets a device in: a session waiting for approval is enrolled at
// once, otherwise the device's next EnrollmentRequest is.
func (g *Gateway) Approve(ref string) error {
	return g.decide(ref, EventApprove, func(r *Device) error {
		if r.Revoked {
			return fmt.Errorf("%w: device %s is revoked; a revoked key cannot be approved", ErrRefused, r.Name)
		}
		r.Rejected, r.Enrolled = false, true
		return nil
	}, func(s *session) {
		if s.waiting {
			g.acceptHeld(s)
		}
	})
}

// Reject refuses a device until it is approved: a waiting or running
// session hears EnrollmentRejected and ends.
func (g *Gateway) Reject(ref string) error {
	return g.decide(ref, EventReject, func(r *Device) error {
		r.Rejected, r.Enrolled = true, false
		return nil
	}, func(s *session) {
		s.push(proto.EnrollmentRejected{Reason: "rejected by the lab operator"})
		s.close()
	})
}

// Revoke refuses the device's key at every handshake from now on and ends
// its session.
func (g *Gateway) Revoke(ref string) error {
	return g.decide(ref, EventRevoke, func(r *Device) error {
		r.Revoked, r.Enrolled = true, false
		return nil
	}, (*session).close)
}

// decide applies an operator decision. change edits a copy of the device;
// the result is in the store before it takes effect, so a failed write
// changes nothing. Then withSession runs on the device's session, if any.
// Decisions and enrollments hold g.decideMu, so neither can undo the other.
func (g *Gateway) decide(ref, kind string, change func(r *Device) error, withSession func(s *session)) error {
	g.decideMu.Lock()
	defer g.decideMu.Unlock()
	g.mu.Lock()
	d, err := g.findLocked(ref)
	if err != nil {
		g.mu.Unlock()
		return err
	}
	next := d.Device
	if err := change(&next); err != nil {
		g.mu.Unlock()
		return err
	}
	state := d.State
	switch {
	case !next.Enrolled && d.session == nil:
		state = Pending
	case kind == EventApprove && d.session == nil && state == Pending:
		state = Enrolled
	}
	rec := toRecord(d)
	rec.Enrolled, rec.Rejected, rec.Revoked, rec.State = next.Enrolled, next.Rejected, next.Revoked, state.String()
	g.mu.Unlock()
	if err := g.store.PutDevice(rec); err != nil {
		return fmt.Errorf("gateway: %s %s: %w", kind, d.Name, err)
	}
	g.mu.Lock()
	d.Enrolled, d.Rejected, d.Revoked = next.Enrolled, next.Rejected, next.Revoked
	g.emitLocked(Event{Kind: kind, Device: d.ID, Name: d.Name, From: d.State, To: d.State})
	g.setState(d, state, kind)
	s := d.session
	g.mu.Unlock()
	if s != nil {
		withSession(s)
	}
	return nil
}
