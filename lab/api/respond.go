package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"wasmbed-lab/lab/gateway"
)

// writeJSON answers v with code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // "<token>" reads better than "\u003ctoken\u003e"; nosniff covers browsers
	// The status line is out: a failed write can only mean the client left.
	_ = enc.Encode(v)
}

// errorBody is every error's shape.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, errorBody{Error: msg})
}

// notRunning is the answer while the gateway restarts.
const notRunning = "the gateway is not running (it may be restarting); retry shortly"

func writeNotRunning(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	writeError(w, http.StatusServiceUnavailable, notRunning)
}

// writeGatewayError maps a gateway error to its status, with the gateway's
// words: an unknown device is 404, a closed gateway 503, a refused decision
// 409, and anything else (the store failed) 500.
func writeGatewayError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, gateway.ErrUnknownDevice):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, gateway.ErrClosed):
		writeNotRunning(w)
	case errors.Is(err, gateway.ErrRefused):
		writeError(w, http.StatusConflict, err.Error())
	default:
		writeError(w, http.StatusInternalServerError, err.Error())
	}
}

// readJSON decodes a request body of exactly one JSON object into v, with
// no unknown fields; it answers the client itself when it returns false.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("body is %s; send application/json", ct))
		return false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var tooLarge *http.MaxBytesError
	if err == nil {
		if extra := dec.Decode(new(json.RawMessage)); extra != io.EOF {
			err = extra
			if !errors.As(extra, &tooLarge) {
				err = errors.New("data after the JSON object")
			}
		}
	}
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is over %d bytes", tooLarge.Limit))
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, "empty body; send a JSON object")
	default:
		writeError(w, http.StatusBadRequest, "bad JSON body: "+err.Error())
	}
	return false
}
