package gateway

import (
	"fmt"

	"wasmbed-lab/lab/proto"
)

// Approve lets a device in: a session waiting for approval is enrolled at
// once, otherwise the device's next EnrollmentRequest is.
func (g *Gateway) Approve(ref string) error {
	return g.decide(ref, EventApprove, func(d *device) (func(), error) {
		if d.Revoked {
			return nil, fmt.Errorf("%w: device %s is revoked; a revoked key cannot be approved", ErrRefused, d.Name)
		}
		d.Rejected = false
		d.Enrolled = true
		if s := d.session; s != nil && s.awaiting != 0 {
			return func() { g.accept(s) }, nil
		}
		return nil, nil
	})
}

// Reject refuses a device until it is approved: a waiting or running
// session hears EnrollmentRejected and ends.
func (g *Gateway) Reject(ref string) error {
	return g.decide(ref, EventReject, func(d *device) (func(), error) {
		d.Rejected = true
		d.Enrolled = false
		if s := d.session; s != nil {
			return func() {
				s.push(proto.EnrollmentRejected{Reason: "rejected by the lab operator"})
				s.close()
			}, nil
		}
		return nil, nil
	})
}

// Revoke refuses the device's key at every handshake from now on and ends
// its session.
func (g *Gateway) Revoke(ref string) error {
	return g.decide(ref, EventRevoke, func(d *device) (func(), error) {
		d.Revoked = true
		d.Enrolled = false
		if s := d.session; s != nil {
			return s.close, nil
		}
		return nil, nil
	})
}

// decide applies an operator decision: change runs under the lock, the
// result is in the store before then runs and decide returns.
func (g *Gateway) decide(ref, kind string, change func(d *device) (func(), error)) error {
	g.mu.Lock()
	d, err := g.findLocked(ref)
	if err != nil {
		g.mu.Unlock()
		return err
	}
	then, err := change(d)
	if err != nil {
		g.mu.Unlock()
		return err
	}
	var ev *Event
	switch {
	case !d.Enrolled && d.session == nil && d.State != Pending:
		ev = g.setState(d, Pending, kind)
	case kind == EventApprove && d.session == nil:
		ev = g.setState(d, Enrolled, kind)
	}
	rec, st := toRecord(d), d.State
	d.dirty = false
	g.mu.Unlock()
	if err := g.store.PutDevice(rec); err != nil {
		return fmt.Errorf("gateway: %s %s: %w", kind, d.Name, err)
	}
	g.emit(Event{Kind: kind, Device: d.ID, Name: d.Name, From: st, To: st})
	g.emitPtr(ev)
	if then != nil {
		then()
	}
	return nil
}
