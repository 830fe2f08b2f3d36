package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"wasmbed-lab/lab/gateway"
)

// DefaultAddr is where the API listens unless told otherwise.
const DefaultAddr = "127.0.0.1:7420"

const (
	maxBody           = 1 << 20 // bytes in a request body
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second // the event stream lifts it
	writeTimeout      = 30 * time.Second // the event stream lifts it
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
)

// Config says how the API runs.
type Config struct {
	// Addr is the listen address, DefaultAddr if empty. Port 0 picks a free
	// port (see Server.Addr). An address that is not loopback is refused
	// unless AllowRemote is set.
	Addr        string
	AllowRemote bool
	// Token guards every change and the event stream. If empty, New makes a
	// random one; read it with Server.Token.
	Token string
	// Gateway returns the running gateway, or nil while it restarts.
	Gateway func() *gateway.Gateway
	// Subscribe, when set, is the event stream /v1/events serves (a lab's,
	// which outlives gateway restarts); else the gateway's own.
	Subscribe func() (<-chan gateway.Event, func())
}

// Server serves the API.
type Server struct {
	addr        string
	allowRemote bool
	token       string
	gateway     func() *gateway.Gateway
	subscribe   func() (<-chan gateway.Event, func())
	mux         *http.ServeMux
	closing     chan struct{} // closed by Close: ends event streams
	closeOnce   sync.Once

	mu       sync.Mutex
	srv      *http.Server
	listener net.Listener
	served   chan error // Serve's result
}

// New checks cfg and builds the API; Start serves it.
func New(cfg Config) (*Server, error) {
	if cfg.Gateway == nil {
		return nil, errors.New("api: no gateway function")
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if err := checkAddr(cfg.Addr, cfg.AllowRemote); err != nil {
		return nil, err
	}
	if cfg.Token == "" {
		t, err := newToken()
		if err != nil {
			return nil, err
		}
		cfg.Token = t
	} else if err := checkToken(cfg.Token); err != nil {
		return nil, err
	}
	s := &Server{
		addr:        cfg.Addr,
		allowRemote: cfg.AllowRemote,
		token:       cfg.Token,
		gateway:     cfg.Gateway,
		subscribe:   cfg.Subscribe,
		closing:     make(chan struct{}),
	}
	reg := prometheus.NewRegistry()
	for _, c := range []prometheus.Collector{
		&collector{gateway: cfg.Gateway},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("api: metrics: %w", err)
		}
	}
	// One bad metric (see metric) must not cost the whole scrape.
	s.routes(promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	return s, nil
}

// checkAddr refuses an address other machines could reach, unless allowed.
func checkAddr(addr string, allowRemote bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("api: listen address %q: %w", addr, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("api: listen address %q: port %q is not a number from 0 to 65535", addr, port)
	}
	if allowRemote || isLoopback(host) {
		return nil
	}
	return fmt.Errorf("api: listen address %q is not loopback: other machines could reach the lab's API "+
		"(device list, status, metrics without a token); use 127.0.0.1, [::1] or localhost, or set AllowRemote to serve other machines on purpose", addr)
}

// isLoopback says whether host (a name or an IP, no port) names this
// machine only. An empty host means every interface.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) routes(metrics http.Handler) {
	m := http.NewServeMux()
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	m.HandleFunc("GET /v1/status", s.status)
	m.HandleFunc("GET /v1/pairing", s.pairing)
	m.Handle("PUT /v1/pairing", s.requireToken(http.HandlerFunc(s.setPairing)))
	m.HandleFunc("GET /v1/devices", s.devices)
	m.HandleFunc("GET /v1/devices/{ref}", s.device)
	m.Handle("POST /v1/devices/{ref}/approve", s.requireToken(s.decide((*gateway.Gateway).Approve)))
	m.Handle("POST /v1/devices/{ref}/reject", s.requireToken(s.decide((*gateway.Gateway).Reject)))
	m.Handle("POST /v1/devices/{ref}/revoke", s.requireToken(s.decide((*gateway.Gateway).Revoke)))
	m.Handle("GET /v1/events", s.requireToken(http.HandlerFunc(s.events)))
	m.Handle("POST /v1/deploy", s.requireToken(http.HandlerFunc(s.deploy)))
	m.Handle("POST /v1/stop", s.requireToken(http.HandlerFunc(s.stop)))
	m.Handle("POST /v1/devices/{ref}/message", s.requireToken(http.HandlerFunc(s.message)))
	m.Handle("GET /metrics", metrics)
	s.mux = m
}

// Handler is the API as an http.Handler (Start serves the same).
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// serveHTTP applies what holds for every request, then routes it.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.allowRemote && !isLoopback(hostOnly(r.Host)) {
		// A web page whose name was rebound to 127.0.0.1 must not read the
		// API from the user's browser.
		writeError(w, http.StatusMisdirectedRequest,
			fmt.Sprintf("host %q is not a loopback name; the API answers only to 127.0.0.1, [::1] or localhost", r.Host))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if h, pattern := s.mux.Handler(r); pattern == "" {
		// No route: ServeMux would answer 404 or 405 in plain text.
		s.noRoute(w, r, h)
		return
	}
	s.mux.ServeHTTP(w, r)
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
}

// noRoute answers as ServeMux would (404, or 405 with Allow), in JSON.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request, h http.Handler) {
	probe := &statusProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if allow := probe.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	code := probe.code
	if code == 0 {
		code = http.StatusNotFound
	}
	msg := fmt.Sprintf("no route %s %s", r.Method, r.URL.Path)
	if code == http.StatusMethodNotAllowed {
		msg = fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path)
	}
	writeError(w, code, msg)
}

// statusProbe records the status and headers a handler writes, and drops
// its body.
type statusProbe struct {
	header http.Header
	code   int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(code int) {
	if p.code == 0 {
		p.code = code
	}
}

// Start listens on the configured address and serves in a goroutine until
// Close.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return errors.New("api: already started")
	}
	select {
	case <-s.closing:
		return errors.New("api: closed")
	default:
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("api: %w", err)
	}
	s.listener = ln
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	served := make(chan error, 1)
	s.served = served
	go func(srv *http.Server) { served <- srv.Serve(ln) }(s.srv)
	return nil
}

// Addr is the address the API listens on once started (with the real port
// when the configured one was 0), else the configured address.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		return s.listener.Addr().String()
	}
	return s.addr
}

// Token is the bearer token the API requires for changes. This package
// never logs it nor returns it in a response.
func (s *Server) Token() string { return s.token }

// Close ends the event streams and shuts the server down gracefully,
// waiting for requests in flight until ctx ends; then it cuts them off.
func (s *Server) Close(ctx context.Context) error {
	s.closeOnce.Do(func() { close(s.closing) })
	s.mu.Lock()
	srv, served := s.srv, s.served
	s.srv, s.served = nil, nil // a second Close has nothing to do
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		srv.Close()
		err = fmt.Errorf("api: shutdown: %w", err)
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = fmt.Errorf("api: serve: %w", serr)
	}
	return err
}
