package gateway

import "wasmbed-lab/lab/store"

// toRecord is what the store keeps of a device; the caller holds g.mu.
func toRecord(d *device) store.Device {
	return store.Device{
		ID: d.ID, PublicKey: d.spki, Name: d.Name, Board: d.Board, State: d.State.String(),
		Enrolled: d.Enrolled, Rejected: d.Rejected, Revoked: d.Revoked,
		FirstSeen: d.FirstSeen, LastSeen: d.LastSeen,
		Sessions: d.Sessions, Heartbeats: d.Heartbeats, Missed: d.Missed,
	}
}

func fromRecord(r store.Device) Device {
	st, err := ParseState(r.State)
	if err != nil {
		st = Disconnected
	}
	return Device{
		ID: r.ID, Name: r.Name, Board: r.Board, State: st,
		Enrolled: r.Enrolled, Rejected: r.Rejected, Revoked: r.Revoked,
		FirstSeen: r.FirstSeen, LastSeen: r.LastSeen, Since: r.LastSeen,
		Sessions: r.Sessions, Heartbeats: r.Heartbeats, Missed: r.Missed,
	}
}
