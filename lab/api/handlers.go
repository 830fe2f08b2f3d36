package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"wasmbed-lab/lab/gateway"
)

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	g := s.gateway()
	if g == nil || !g.Ready() {
		writeNotRunning(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) status(w http.ResponseWriter, _ *http.Request) {
	g := s.gateway()
	if g == nil {
		writeNotRunning(w)
		return
	}
	writeJSON(w, http.StatusOK, g.Status())
}

// pairingBody is GET and PUT /v1/pairing.
type pairingBody struct {
	Pairing string `json:"pairing"`
}

func (s *Server) pairing(w http.ResponseWriter, _ *http.Request) {
	g := s.gateway()
	if g == nil {
		writeNotRunning(w)
		return
	}
	writeJSON(w, http.StatusOK, pairingBody{Pairing: g.Status().Pairing.String()})
}

func (s *Server) setPairing(w http.ResponseWriter, r *http.Request) {
	var body pairingBody
	if !readJSON(w, r, &body) {
		return
	}
	p, err := parsePairing(body.Pairing)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	g := s.gateway()
	if g == nil {
		writeNotRunning(w)
		return
	}
	if err := g.SetPairing(p); err != nil {
		writeGatewayError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, pairingBody{Pairing: p.String()})
}

// parsePairing reads the pairing mode of a PUT body.
func parsePairing(name string) (gateway.Pairing, error) {
	if name == "" {
		return 0, errors.New(`body needs "pairing": "auto" or "manual"`)
	}
	return gateway.ParsePairing(name)
}

// devices lists the devices, or those in the states ?state= names (it may
// be repeated).
func (s *Server) devices(w http.ResponseWriter, r *http.Request) {
	var want []gateway.State
	for _, name := range r.URL.Query()["state"] {
		st, err := gateway.ParseState(name)
		if err != nil {
			writeError(w, http.StatusBadRequest,
				fmt.Sprintf("unknown state %q in ?state=; valid states: %s", name, strings.Join(stateNames(), ", ")))
			return
		}
		want = append(want, st)
	}
	g := s.gateway()
	if g == nil {
		writeNotRunning(w)
		return
	}
	all := g.Devices()
	if len(want) == 0 {
		writeJSON(w, http.StatusOK, all)
		return
	}
	out := make([]gateway.Device, 0, len(all))
	for _, d := range all {
		for _, st := range want {
			if d.State == st {
				out = append(out, d)
				break
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func stateNames() []string {
	var out []string
	for _, st := range gateway.States() {
		out = append(out, st.String())
	}
	return out
}

// lookup finds the device {ref} names; false when it has answered already
// (no gateway, no such device).
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) (*gateway.Gateway, gateway.Device, bool) {
	g := s.gateway()
	if g == nil {
		writeNotRunning(w)
		return nil, gateway.Device{}, false
	}
	d, err := g.Device(r.PathValue("ref"))
	if err != nil {
		writeGatewayError(w, err)
		return nil, gateway.Device{}, false
	}
	return g, d, true
}

func (s *Server) device(w http.ResponseWriter, r *http.Request) {
	if _, d, ok := s.lookup(w, r); ok {
		writeJSON(w, http.StatusOK, d)
	}
}

// decide applies an operator decision to the device {ref} names and
// answers the device as it is afterwards.
func (s *Server) decide(act func(g *gateway.Gateway, ref string) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Resolve the name once, so the decision and the answer are
		// about the same device.
		g, d, ok := s.lookup(w, r)
		if !ok {
			return
		}
		if err := act(g, d.ID); err != nil {
			writeGatewayError(w, err)
			return
		}
		d, err := g.Device(d.ID)
		if err != nil {
			writeGatewayError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, d)
	})
}
