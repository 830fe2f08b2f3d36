package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"wasmbed-lab/lab/gateway"
	"wasmbed-lab/lab/proto"
)

// deployWait bounds how long a deploy request waits for the devices'
// answers (each device's deploy has its own timeout inside it).
const deployWait = time.Minute

// Outcome is one device's result of a deploy or a stop.
type Outcome struct {
	gateway.DeployResult
	Error string `json:"error,omitempty"`
}

// Outcomes is the answer to POST /v1/deploy and /v1/stop.
type Outcomes struct {
	Results []Outcome `json:"results"`
}

// targets reads ?to= (repeated), ?board= or ?all=true.
func targets(r *http.Request) gateway.Targets {
	q := r.URL.Query()
	return gateway.Targets{To: q["to"], Board: q.Get("board"), All: q.Get("all") == "true"}
}

// resolve answers the client itself when it returns false.
func (s *Server) resolve(w http.ResponseWriter, r *http.Request) (*gateway.Gateway, []gateway.Device, bool) {
	g := s.gateway()
	if g == nil {
		writeNotRunning(w)
		return nil, nil, false
	}
	devs, err := g.Resolve(targets(r))
	switch {
	case err == nil:
		return g, devs, true
	case errors.Is(err, gateway.ErrUnknownDevice), errors.Is(err, gateway.ErrRefused):
		writeGatewayError(w, err)
	default:
		writeError(w, http.StatusBadRequest, err.Error()+" (?to=DEVICE, repeated; ?board=BOARD; or ?all=true)")
	}
	return nil, nil, false
}

// writeOutcomes answers 200 when every device's went well, else 422.
func writeOutcomes(w http.ResponseWriter, out []Outcome) {
	code := http.StatusOK
	for _, o := range out {
		if o.Error != "" {
			code = http.StatusUnprocessableEntity
		}
	}
	writeJSON(w, code, Outcomes{Results: out})
}

// deploy is POST /v1/deploy?to=...&name=APP&restart=POLICY with the
// module's bytes as the body: it deploys to every target at once and
// answers when each has answered.
func (s *Server) deploy(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != "application/wasm" && ct != "application/octet-stream" {
		writeError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("body is %s; send the module as application/wasm", ct))
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" || strings.ContainsAny(name, "/\\") {
		writeError(w, http.StatusBadRequest, "?name= is the app's name (its file name, no directory)")
		return
	}
	restart, err := gateway.ParseRestart(r.URL.Query().Get("restart"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	module, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the module is over %d bytes", tooLarge.Limit))
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "reading the module: "+err.Error())
		return
	case len(module) == 0:
		writeError(w, http.StatusBadRequest, "empty body: send the module's bytes")
		return
	}
	g, devs, ok := s.resolve(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), deployWait)
	defer cancel()
	refs := make([]string, len(devs))
	for i, d := range devs {
		refs[i] = d.ID
	}
	out := make([]Outcome, len(devs))
	for i, o := range g.DeployMany(ctx, refs, name, module, restart) {
		out[i] = Outcome{DeployResult: o.DeployResult}
		if o.Err != nil {
			out[i].Error = o.Err.Error()
		}
	}
	writeOutcomes(w, out)
}

// stop is POST /v1/stop?to=...: the targets run no app from now on.
func (s *Server) stop(w http.ResponseWriter, r *http.Request) {
	g, devs, ok := s.resolve(w, r)
	if !ok {
		return
	}
	out := make([]Outcome, len(devs))
	for i, d := range devs {
		out[i].Device = d.Name
		if err := g.Stop(d.ID); err != nil {
			out[i].Error = err.Error()
		}
	}
	writeOutcomes(w, out)
}

// message is POST /v1/devices/{ref}/message: the body, at most 256 bytes,
// goes to the app the device runs (its receive host function).
func (s *Server) message(w http.ResponseWriter, r *http.Request) {
	g, d, ok := s.lookup(w, r)
	if !ok {
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, proto.MaxEventData+1))
	switch {
	case err != nil:
		writeError(w, http.StatusBadRequest, "reading the message: "+err.Error())
		return
	case len(data) > proto.MaxEventData:
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("a message to an app is at most %d bytes", proto.MaxEventData))
		return
	}
	if err := g.SendMessage(d.ID, data); err != nil {
		writeGatewayError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"device": d.Name, "bytes": len(data)})
}
