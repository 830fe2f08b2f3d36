package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"wasmbed-lab/lab/gateway"
)

const (
	// keepAlive is how often an idle stream sends a comment, so that
	// clients and proxies can tell a quiet stream from a dead one.
	keepAlive = 15 * time.Second
	// eventWriteTimeout bounds each write to the client: a client that
	// stops reading loses its stream instead of holding it forever.
	eventWriteTimeout = 10 * time.Second
)

// Reasons given in the final "end" event.
const (
	endGatewayClosed = "the event stream ended: its gateway closed (it may be restarting) or the lab stopped; reconnect to follow what comes next"
	endShutdown      = "the API is shutting down"
)

// events streams the gateway's events as Server-Sent Events until the
// client leaves, the gateway closes its subscription, or the API closes.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	var evs <-chan gateway.Event
	if s.subscribe != nil {
		var unsubscribe func()
		evs, unsubscribe = s.subscribe() // the lab's stream: it outlives gateway restarts
		defer unsubscribe()
	} else {
		g := s.gateway()
		if g == nil || !g.Ready() {
			writeNotRunning(w)
			return
		}
		var unsubscribe func()
		evs, unsubscribe = g.Subscribe() // closed at once if g has closed since
		defer unsubscribe()
	}
	rc := http.NewResponseController(w)
	// The stream outlives the server's request timeouts; an unsupported
	// deadline (a test recorder) just means there is none.
	if err := rc.SetReadDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Accel-Buffering", "no") // for a proxy in front
	send := func(format string, args ...any) bool {
		if err := rc.SetWriteDeadline(time.Now().Add(eventWriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return false
		}
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(": subscribed\n\n") {
		return
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.closing:
			send("event: end\ndata: %s\n\n", endData(endShutdown))
			return
		case <-tick.C:
			if !send(": keep-alive\n\n") {
				return
			}
		case e, ok := <-evs:
			if !ok {
				send("event: end\ndata: %s\n\n", endData(endGatewayClosed))
				return
			}
			b, err := json.Marshal(e)
			if err != nil {
				continue // an Event always marshals; skip rather than end the stream
			}
			if !send("data: %s\n\n", b) {
				return
			}
		}
	}
}

func endData(reason string) []byte {
	b, _ := json.Marshal(map[string]string{"reason": reason})
	return b
}
