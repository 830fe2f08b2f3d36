// Package labfile reads lab files and scenario files (scenario.go). A lab
// file is YAML documents shaped like Wasmbed's custom resources, each with
// a kind, metadata and a spec.
//
//	kind: Device            # a board the lab boots, as a device of that name
//	metadata: {name: kitchen, labels: {floor: "1"}}
//	spec: {board: mps2-an385}
//	---
//	kind: Application       # an app deployed to devices once they connect
//	metadata: {name: blink}
//	spec:
//	  wasm: apps/build/samples/blink.wasm   # relative to the lab file
//	  targets: {devices: [kitchen]}          # or {labels: {floor: "1"}}, or {all: true}
//	  restart: on-failure                    # never (default), on-failure, always
//	---
//	kind: Gateway           # at most one
//	metadata: {name: gateway}
//	spec: {pairing: auto, heartbeat: 1s, missedLimit: 3, api: "127.0.0.1:7420"}
//
// Validation is strict: an unknown kind or key, a wrong type, an unknown
// board, a missing file, a duplicate name or a target that names nothing
// is an *Error with the file, the line and the reason.
package labfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"wasmbed-lab/boards"
)

// Lab is what a lab file describes.
type Lab struct {
	Devices []Device
	Apps    []Application
	Gateway Gateway
}

// Device is a board the lab boots.
type Device struct {
	Name   string
	Board  string
	Labels map[string]string
	Line   int
}

// Application is an app to deploy to its targets.
type Application struct {
	Name    string
	Wasm    string // the module's path, resolved against the lab file's folder
	Targets Targets
	Restart string
	Config  map[string]string // for the app; not sent to the device yet
	Line    int
}

// Targets names the devices of an Application: exactly one way.
type Targets struct {
	Devices []string          `yaml:"devices"`
	Labels  map[string]string `yaml:"labels"`
	All     bool              `yaml:"all"`
}

// Gateway is how the lab's gateway runs; zero values are the defaults.
type Gateway struct {
	Pairing     string        // auto (default) or manual
	Heartbeat   time.Duration // interval devices keep
	MissedLimit int           // intervals missed before Unreachable
	API         string        // the HTTP API's address
}

// Error is a problem in a lab file, at a line (0 when it is the file's).
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// The documents' shapes, for strict decoding.
type (
	metadata struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	}
	deviceSpec struct {
		Board string `yaml:"board"`
	}
	applicationSpec struct {
		Wasm    string            `yaml:"wasm"`
		Targets Targets           `yaml:"targets"`
		Restart string            `yaml:"restart"`
		Config  map[string]string `yaml:"config"`
	}
	gatewaySpec struct {
		Pairing     string `yaml:"pairing"`
		Heartbeat   string `yaml:"heartbeat"`
		MissedLimit int    `yaml:"missedLimit"`
		API         string `yaml:"api"`
	}
)

// kinds maps each kind to its spec's type.
var kinds = map[string]reflect.Type{
	"Device":      reflect.TypeOf(deviceSpec{}),
	"Application": reflect.TypeOf(applicationSpec{}),
	"Gateway":     reflect.TypeOf(gatewaySpec{}),
}

// Load reads and checks the lab file at path.
func Load(path string) (*Lab, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	return Parse(path, data)
}

// Parse checks a lab file's contents; file names it in errors, and its
// folder is where relative wasm paths start.
func Parse(file string, data []byte) (*Lab, error) {
	p := parser{file: file, dir: filepath.Dir(file), lab: &Lab{}, names: map[string]int{}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, p.yamlError(err)
		}
		if err := p.document(&doc); err != nil {
			return nil, err
		}
	}
	if len(p.lab.Devices) == 0 {
		return nil, &Error{File: file, Msg: "no Device: a lab needs at least one board"}
	}
	if err := p.targets(); err != nil {
		return nil, err
	}
	return p.lab, nil
}

type parser struct {
	file     string
	dir      string
	lab      *Lab
	names    map[string]int // kind/name -> line, for duplicates
	gateways int
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// yamlLine finds "line N: " in a YAML library error.
var yamlLine = regexp.MustCompile(`line (\d+): `)

func (p *parser) yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	line := 0
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
		fmt.Sscan(msg[m[2]:m[3]], &line)
		msg = msg[:m[0]] + msg[m[1]:]
	}
	return p.errorf(line, "%s", msg)
}

// document checks one YAML document and adds what it describes.
func (p *parser) document(doc *yaml.Node) error {
	if len(doc.Content) == 0 {
		return nil // an empty document, e.g. after a trailing ---
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return p.errorf(root.Line, "a document is a mapping with kind, metadata and spec")
	}
	fields := map[string]*yaml.Node{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key := root.Content[i]
		switch key.Value {
		case "apiVersion", "kind", "metadata", "spec":
			fields[key.Value] = root.Content[i+1]
		default:
			return p.errorf(key.Line, "unknown key %q (a document has apiVersion, kind, metadata and spec)", key.Value)
		}
	}
	kindNode := fields["kind"]
	if kindNode == nil {
		return p.errorf(root.Line, "no kind (Device, Application or Gateway)")
	}
	specType, ok := kinds[kindNode.Value]
	if !ok {
		return p.errorf(kindNode.Line, "unknown kind %q (want Device, Application or Gateway)", kindNode.Value)
	}
	var meta metadata
	if err := p.decode(fields["metadata"], reflect.TypeOf(meta), &meta); err != nil {
		return err
	}
	line := kindNode.Line
	if meta.Name == "" {
		return p.errorf(line, "%s without metadata.name", kindNode.Value)
	}
	if !validName.MatchString(meta.Name) {
		return p.errorf(line, "%s name %q: use letters, digits, '-', '_' and '.'", kindNode.Value, meta.Name)
	}
	key := kindNode.Value + "/" + meta.Name
	if first, dup := p.names[key]; dup {
		return p.errorf(line, "duplicate %s name %q (first at line %d)", kindNode.Value, meta.Name, first)
	}
	p.names[key] = line
	spec := reflect.New(specType)
	if err := p.decode(fields["spec"], specType, spec.Interface()); err != nil {
		return err
	}
	at := func(key string) int { return keyLine(fields["spec"], key, line) }
	switch s := spec.Interface().(type) {
	case *deviceSpec:
		return p.device(at, line, meta, s)
	case *applicationSpec:
		return p.application(at, line, meta, s)
	case *gatewaySpec:
		return p.gateway(at, line, s)
	}
	return nil
}

// keyLine is the line of key in mapping n, or fallback.
func keyLine(n *yaml.Node, key string, fallback int) int {
	if n != nil {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i].Line
			}
		}
	}
	return fallback
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// decode fills v from n after checking that every key n holds is one of
// t's (yaml tags), at every level.
func (p *parser) decode(n *yaml.Node, t reflect.Type, v any) error {
	if n == nil {
		return nil
	}
	if err := p.strict(n, t); err != nil {
		return err
	}
	if err := n.Decode(v); err != nil {
		return p.yamlError(err)
	}
	return nil
}

// strict reports the first key of n that t does not have.
func (p *parser) strict(n *yaml.Node, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode {
		for _, item := range n.Content {
			if err := p.strict(item, t.Elem()); err != nil {
				return err
			}
		}
		return nil
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeOf(yaml.Node{}) || n.Kind != yaml.MappingNode {
		return nil // free-form, or a type error, which Decode reports
	}
	known := map[string]reflect.Type{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag == "" {
			continue // not read from files
		}
		known[tag] = t.Field(i).Type
		names = append(names, tag)
	}
	sort.Strings(names)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i]
		ft, ok := known[key.Value]
		if !ok {
			return p.errorf(key.Line, "unknown key %q (known here: %s)", key.Value, strings.Join(names, ", "))
		}
		if err := p.strict(n.Content[i+1], ft); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) device(at func(string) int, line int, meta metadata, s *deviceSpec) error {
	if s.Board == "" {
		return p.errorf(line, "Device %s: spec.board is missing (see wasmbed-lab boards)", meta.Name)
	}
	if _, err := boards.Lookup(s.Board); err != nil {
		return p.errorf(at("board"), "Device %s: %v", meta.Name, err)
	}
	p.lab.Devices = append(p.lab.Devices, Device{Name: meta.Name, Board: s.Board, Labels: meta.Labels, Line: line})
	return nil
}

func (p *parser) application(at func(string) int, line int, meta metadata, s *applicationSpec) error {
	if s.Wasm == "" {
		return p.errorf(line, "Application %s: spec.wasm is missing (the module's path)", meta.Name)
	}
	path := s.Wasm
	if !filepath.IsAbs(path) {
		path = filepath.Join(p.dir, path)
	}
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		return p.errorf(at("wasm"), "Application %s: no module at %s (make apps builds the samples)", meta.Name, path)
	}
	switch s.Restart {
	case "", "never", "on-failure", "always":
	default:
		return p.errorf(at("restart"), "Application %s: restart %q: want never, on-failure or always", meta.Name, s.Restart)
	}
	t := s.Targets
	ways := 0
	for _, set := range []bool{len(t.Devices) > 0, len(t.Labels) > 0, t.All} {
		if set {
			ways++
		}
	}
	if ways != 1 {
		return p.errorf(at("targets"), "Application %s: spec.targets names devices one way: devices, labels or all: true", meta.Name)
	}
	p.lab.Apps = append(p.lab.Apps, Application{Name: meta.Name, Wasm: path, Targets: t, Restart: s.Restart, Config: s.Config, Line: line})
	return nil
}

func (p *parser) gateway(at func(string) int, line int, s *gatewaySpec) error {
	p.gateways++
	if p.gateways > 1 {
		return p.errorf(line, "a second Gateway: a lab has one")
	}
	g := Gateway{Pairing: s.Pairing, MissedLimit: s.MissedLimit, API: s.API}
	switch s.Pairing {
	case "", "auto", "manual":
	default:
		return p.errorf(at("pairing"), "Gateway: pairing %q: want auto or manual", s.Pairing)
	}
	if s.Heartbeat != "" {
		d, err := time.ParseDuration(s.Heartbeat)
		if err != nil || d < 10*time.Millisecond {
			return p.errorf(at("heartbeat"), "Gateway: heartbeat %q: want a duration of at least 10ms, like 1s", s.Heartbeat)
		}
		g.Heartbeat = d
	}
	if s.MissedLimit < 0 {
		return p.errorf(at("missedLimit"), "Gateway: missedLimit %d: want 1 or more", s.MissedLimit)
	}
	p.lab.Gateway = g
	return nil
}

// targets checks that every Application's targets name devices of the lab.
func (p *parser) targets() error {
	byName := map[string]Device{}
	for _, d := range p.lab.Devices {
		byName[d.Name] = d
	}
	for _, a := range p.lab.Apps {
		for _, n := range a.Targets.Devices {
			if _, ok := byName[n]; !ok {
				return p.errorf(a.Line, "Application %s: target device %q is not in the lab", a.Name, n)
			}
		}
		if len(a.Targets.Labels) > 0 && len(a.Devices(p.lab)) == 0 {
			return p.errorf(a.Line, "Application %s: no device has the labels %v", a.Name, a.Targets.Labels)
		}
	}
	return nil
}

// Devices lists the lab's devices a's targets name, in the lab's order.
func (a Application) Devices(l *Lab) []Device {
	var out []Device
	for _, d := range l.Devices {
		match := a.Targets.All
		for _, n := range a.Targets.Devices {
			match = match || n == d.Name
		}
		if len(a.Targets.Labels) > 0 {
			match = true
			for k, v := range a.Targets.Labels {
				match = match && d.Labels[k] == v
			}
		}
		if match {
			out = append(out, d)
		}
	}
	return out
}

// Default is the lab used when none is given: one device of each board,
// named after it, and the gateway's defaults.
func Default() *Lab {
	l := &Lab{}
	for _, b := range boards.All() {
		l.Devices = append(l.Devices, Device{Name: b.Name, Board: b.Name})
	}
	return l
}
