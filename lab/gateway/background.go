package gateway

import (
	"fmt"
	"time"

	"wasmbed-lab/lab/store"
)

// background marks devices whose heartbeats stopped and writes changed
// records to the store, until Close.
func (g *Gateway) background() {
	defer g.wg.Done()
	sweep := time.NewTicker(min(g.cfg.Heartbeat/4, 250*time.Millisecond))
	defer sweep.Stop()
	flush := time.NewTicker(flushInterval)
	defer flush.Stop()
	for {
		select {
		case <-g.stop:
			return
		case <-sweep.C:
			g.sweep()
		case <-flush.C:
			g.flush() // a failed write stays dirty and is retried
		}
	}
}

// sweep counts the heartbeat intervals each connected device let pass. A
// heartbeat counts as missed once one and a half intervals went by without
// it, so ordinary jitter is not a miss.
func (g *Gateway) sweep() {
	now := g.now()
	interval := g.cfg.Heartbeat
	g.mu.Lock()
	for _, d := range g.devices {
		if d.session == nil || (d.State != Connected && d.State != Unreachable) {
			continue
		}
		late := now.Sub(d.lastBeat) - interval/2
		if late < interval {
			continue
		}
		run := uint64(late / interval)
		if run > d.missedRun {
			d.Missed += run - d.missedRun
			d.missedRun = run
			d.dirty = true
			g.notifyLocked()
		}
		if d.missedRun >= uint64(g.cfg.MissedLimit) {
			g.setState(d, Unreachable, fmt.Sprintf("%d heartbeats missed", d.missedRun))
		}
	}
	for _, d := range g.devices {
		g.reconcileLocked(d) // deploys waiting out a retry delay
	}
	g.mu.Unlock()
}

// flush writes the changed device records and the queued audit events in
// one transaction.
func (g *Gateway) flush() error {
	g.mu.Lock()
	var recs []store.Device
	var dirty []*device
	for _, d := range g.devices {
		if d.dirty {
			recs = append(recs, toRecord(d))
			dirty = append(dirty, d)
			d.dirty = false
		}
	}
	audit := g.audit
	g.audit = nil
	g.mu.Unlock()
	if len(recs) == 0 && len(audit) == 0 {
		return nil
	}
	if err := g.store.Batch(recs, audit); err != nil {
		g.mu.Lock()
		for _, d := range dirty {
			d.dirty = true
		}
		g.audit = append(audit, g.audit...)
		g.mu.Unlock()
		return fmt.Errorf("gateway: writing the registry: %w", err)
	}
	return nil
}
