package gateway

import (
	"encoding/json"
	"sync"
	"time"
)

// Event is one thing that happened to a device: every state change, and
// every operator decision.
type Event struct {
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"` // EventState, EventApprove, ...
	Device string    `json:"device,omitempty"`
	Name   string    `json:"name,omitempty"`
	From   State     `json:"from"`
	To     State     `json:"to"`
	Detail string    `json:"detail,omitempty"`
	App    string    `json:"app,omitempty"`   // the app events': its name (or app_id when it is not the desired one)
	Topic  string    `json:"topic,omitempty"` // EventAppPublish
	Data   []byte    `json:"data,omitempty"`  // EventAppPublish
}

// MarshalJSON leaves From and To out of events that are not state changes.
func (e Event) MarshalJSON() ([]byte, error) {
	type plain Event
	if e.Kind == EventState {
		return json.Marshal(plain(e))
	}
	return json.Marshal(struct {
		Time   time.Time `json:"time"`
		Kind   string    `json:"kind"`
		Device string    `json:"device,omitempty"`
		Name   string    `json:"name,omitempty"`
		Detail string    `json:"detail,omitempty"`
		App    string    `json:"app,omitempty"`
		Topic  string    `json:"topic,omitempty"`
		Data   []byte    `json:"data,omitempty"`
	}{e.Time, e.Kind, e.Device, e.Name, e.Detail, e.App, e.Topic, e.Data})
}

// Event kinds.
const (
	EventState   = "state"   // From -> To
	EventApprove = "approve" // an operator let a device in
	EventReject  = "reject"  // an operator refused a device
	EventRevoke  = "revoke"  // the key is refused at the handshake from now on
	EventRefused = "refused" // a handshake failed; Detail says why
	// EventDeviceError: the device sent an Error message (it could not
	// decode or did not expect one of ours); Detail has its code and text.
	EventDeviceError = "device_error"
	// EventGateway: the gateway started or stopped (a lab's stream
	// outlives its gateways); Detail says which.
	EventGateway = "gateway"
	// EventBoard: the lab's board for the device (Name) crashed, is
	// restarting or was given up on; Detail says which.
	EventBoard = "board"
	// The app events: a deploy's outcome, the app's state as the device
	// reports it, a line it logged (Detail) and a message it published
	// (Topic, Data).
	EventAppDeploy  = "app_deploy"
	EventAppState   = "app_state"
	EventAppLog     = "app_log"
	EventAppPublish = "app_publish"
)

// Hub fans events out to subscribers. A subscriber that falls behind loses
// events (counted) rather than slowing the publisher down. The zero value
// is ready to use.
type Hub struct {
	mu      sync.Mutex
	subs    map[chan Event]struct{}
	dropped uint64
	closed  bool
}

// subscriberBuffer holds a burst like a whole fleet changing state at once.
const subscriberBuffer = 4096

// Subscribe returns a stream of the events published from now on and a
// function that ends it. After Close the stream is closed at once.
func (h *Hub) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, subscriberBuffer)
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		close(ch) // a closed gateway has nothing more to say
		return ch, func() {}
	}
	if h.subs == nil {
		h.subs = map[chan Event]struct{}{}
	}
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
		h.mu.Unlock()
	}
}

// Publish sends e to every subscriber that has room for it.
func (h *Hub) Publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- e:
		default:
			h.dropped++
		}
	}
}

// Close ends every subscription.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		close(ch)
	}
	h.subs = nil
	h.closed = true
}

// Dropped counts the events subscribers lost.
func (h *Hub) Dropped() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dropped
}
