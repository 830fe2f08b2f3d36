package labfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"time"

	"go.yaml.in/yaml/v3"
)

// Scenario is a headless lab run: a lab, and steps to take in it.
//
//	name: smoke
//	lab: ../labs/mixed.yaml          # a lab file, or its documents inline
//	timeout: 2m                      # the whole run (default 5m)
//	failOn: ["HardFault"]            # console text that fails the run
//	steps:
//	  - waitFor: {device: kitchen, state: Connected, timeout: 30s}
//	  - deploy: {app: blink, to: [kitchen]}        # an Application, or a path
//	  - expectSerial: {device: kitchen, regex: "hello from (\\S+)", timeout: 10s}
//	  - fault: {device: kitchen, reset: true}
//	  - sleep: 1s
type Scenario struct {
	Name    string
	Lab     *Lab
	Timeout time.Duration
	FailOn  []*regexp.Regexp
	Steps   []Step
}

// Step is one step; exactly one of its parts is set.
type Step struct {
	Line    int
	Timeout time.Duration // its own, where it waits (default 30s)

	WaitFor         *WaitFor
	Deploy          *Deploy
	Stop            *Stop
	ExpectSerial    *ExpectSerial
	WriteSerial     *WriteSerial
	ExpectPublished *ExpectPublished
	Fault           *Fault
	SetSensor       *SetSensor
	Sleep           time.Duration
	HTTP            *HTTPCheck
}

// The steps' parts. Durations are strings in the file ("30s").
type (
	WaitFor struct {
		Device string `yaml:"device"`
		State  string `yaml:"state"` // a device state, or Running/Trapped/... for its app
	}
	Deploy struct {
		App     string   `yaml:"app"` // an Application of the lab, or a module's path
		To      []string `yaml:"to"`  // devices; empty: the Application's targets
		Restart string   `yaml:"restart"`
		// ExpectError, when set, makes the step pass only when every
		// deploy is refused with an error that contains it.
		ExpectError string `yaml:"expectError"`
	}
	Stop struct {
		To []string `yaml:"to"`
	}
	ExpectSerial struct {
		Device string `yaml:"device"`
		Text   string `yaml:"text"`
		Regex  string `yaml:"regex"`
		re     *regexp.Regexp
	}
	WriteSerial struct {
		Device string `yaml:"device"`
		Text   string `yaml:"text"`
	}
	ExpectPublished struct {
		Device string `yaml:"device"`
		Topic  string `yaml:"topic"`
		Data   string `yaml:"data"` // as text; empty: any
	}
	Fault struct {
		Device         string        `yaml:"device"`
		Reset          bool          `yaml:"reset"`
		Kill           bool          `yaml:"kill"`
		Power          string        `yaml:"power"` // off or on
		GatewayRestart bool          `yaml:"gatewayRestart"`
		LinkCut        string        `yaml:"linkCut"`     // for how long
		LinkCorrupt    float64       `yaml:"linkCorrupt"` // rate, each way
		LinkDelay      string        `yaml:"linkDelay"`
		cut, delay     time.Duration // LinkCut and LinkDelay, parsed
	}
	SetSensor struct {
		Device string `yaml:"device"`
		Sensor string `yaml:"sensor"`
		Value  int32  `yaml:"value"`
	}
	HTTPCheck struct {
		Method   string `yaml:"method"`
		Path     string `yaml:"path"`
		Status   int    `yaml:"status"`
		Contains string `yaml:"contains"`
	}
)

// String names the fault and its device, e.g. "m3 linkCut 2s".
func (f *Fault) String() string {
	what := ""
	switch {
	case f.GatewayRestart:
		return "gatewayRestart"
	case f.Reset:
		what = "reset"
	case f.Kill:
		what = "kill"
	case f.Power != "":
		what = "power " + f.Power
	case f.LinkCut != "":
		what = "linkCut " + f.LinkCut
	case f.LinkCorrupt != 0:
		what = fmt.Sprintf("linkCorrupt %g", f.LinkCorrupt)
	case f.LinkDelay != "":
		what = "linkDelay " + f.LinkDelay
	}
	return f.Device + " " + what
}

// CutFor is how long a linkCut lasts; DelayBy is a linkDelay's delay.
func (f *Fault) CutFor() time.Duration  { return f.cut }
func (f *Fault) DelayBy() time.Duration { return f.delay }

// Regexp is the step's pattern: its regex, or its text taken literally.
func (e *ExpectSerial) Regexp() *regexp.Regexp { return e.re }

// The file's shape, for strict decoding.
type scenarioFile struct {
	Name    string    `yaml:"name"`
	Lab     yaml.Node `yaml:"lab"`
	Timeout string    `yaml:"timeout"`
	FailOn  []string  `yaml:"failOn"`
	Steps   []stepDoc `yaml:"steps"`
}

type stepDoc struct {
	Timeout         string           `yaml:"timeout"`
	WaitFor         *WaitFor         `yaml:"waitFor"`
	Deploy          *Deploy          `yaml:"deploy"`
	Stop            *Stop            `yaml:"stop"`
	ExpectSerial    *ExpectSerial    `yaml:"expectSerial"`
	WriteSerial     *WriteSerial     `yaml:"writeSerial"`
	ExpectPublished *ExpectPublished `yaml:"expectPublished"`
	Fault           *Fault           `yaml:"fault"`
	SetSensor       *SetSensor       `yaml:"setSensor"`
	Sleep           string           `yaml:"sleep"`
	HTTP            *HTTPCheck       `yaml:"http"`
}

// Default timeouts.
const (
	DefaultScenarioTimeout = 5 * time.Minute
	DefaultStepTimeout     = 30 * time.Second
)

// LoadScenario reads and checks the scenario file at path, and its lab.
func LoadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	return ParseScenario(path, data)
}

// ParseScenario checks a scenario file's contents.
func ParseScenario(file string, data []byte) (*Scenario, error) {
	p := parser{file: file, dir: filepath.Dir(file), lab: &Lab{}, names: map[string]int{}}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return nil, p.yamlError(err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, p.errorf(0, "a scenario is a mapping with name, lab, timeout, failOn and steps")
	}
	root := doc.Content[0]
	var f scenarioFile
	if err := p.decode(root, reflect.TypeOf(f), &f); err != nil {
		return nil, err
	}
	s := &Scenario{Name: f.Name, Timeout: DefaultScenarioTimeout}
	if s.Name == "" {
		s.Name = trimExt(filepath.Base(file))
	}
	if f.Timeout != "" {
		d, err := time.ParseDuration(f.Timeout)
		if err != nil || d <= 0 {
			return nil, p.errorf(keyLine(root, "timeout", 0), "timeout %q: want a duration, like 2m", f.Timeout)
		}
		s.Timeout = d
	}
	for _, pat := range f.FailOn {
		re, err := regexp.Compile(pat)
		if err != nil {
			return nil, p.errorf(keyLine(root, "failOn", 0), "failOn %q: %v", pat, err)
		}
		s.FailOn = append(s.FailOn, re)
	}
	lab, err := p.scenarioLab(&f.Lab, keyLine(root, "lab", 0))
	if err != nil {
		return nil, err
	}
	s.Lab = lab
	stepsNode := valueOf(root, "steps")
	if len(f.Steps) == 0 {
		return nil, p.errorf(keyLine(root, "steps", 0), "no steps")
	}
	for i, sd := range f.Steps {
		line := stepsNode.Content[i].Line
		st, err := p.step(line, sd, lab)
		if err != nil {
			return nil, err
		}
		s.Steps = append(s.Steps, st)
	}
	return s, nil
}

// scenarioLab is the lab a scenario names: a path (relative to the
// scenario), its documents inline (a list), or the default lab.
func (p *parser) scenarioLab(n *yaml.Node, line int) (*Lab, error) {
	switch {
	case n.Kind == 0:
		return Default(), nil
	case n.Kind == yaml.ScalarNode:
		path := n.Value
		if !filepath.IsAbs(path) {
			path = filepath.Join(p.dir, path)
		}
		return Load(path)
	case n.Kind == yaml.SequenceNode:
		for _, doc := range n.Content {
			if err := p.document(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}}); err != nil {
				return nil, err
			}
		}
		if len(p.lab.Devices) == 0 {
			return nil, p.errorf(line, "the inline lab has no Device")
		}
		return p.lab, p.targets()
	}
	return nil, p.errorf(line, "lab: a lab file's path, or a list of its documents")
}

// step checks one step against the lab.
func (p *parser) step(line int, sd stepDoc, lab *Lab) (Step, error) {
	st := Step{Line: line, Timeout: DefaultStepTimeout, WaitFor: sd.WaitFor, Deploy: sd.Deploy, Stop: sd.Stop,
		ExpectSerial: sd.ExpectSerial, WriteSerial: sd.WriteSerial, ExpectPublished: sd.ExpectPublished,
		Fault: sd.Fault, SetSensor: sd.SetSensor, HTTP: sd.HTTP}
	if sd.Timeout != "" {
		d, err := time.ParseDuration(sd.Timeout)
		if err != nil || d <= 0 {
			return st, p.errorf(line, "step timeout %q: want a duration, like 10s", sd.Timeout)
		}
		st.Timeout = d
	}
	parts := 0
	v := reflect.ValueOf(sd)
	for i := 0; i < v.NumField(); i++ {
		if v.Type().Field(i).Name != "Timeout" && !v.Field(i).IsZero() {
			parts++
		}
	}
	if parts != 1 {
		return st, p.errorf(line, "a step is one of waitFor, deploy, stop, expectSerial, writeSerial, expectPublished, fault, setSensor, sleep, http (with its timeout)")
	}
	device := func(name string) error {
		for _, d := range lab.Devices {
			if d.Name == name {
				return nil
			}
		}
		if name == "" {
			return p.errorf(line, "the step names no device")
		}
		return p.errorf(line, "device %q is not in the lab", name)
	}
	switch {
	case st.WaitFor != nil:
		if err := device(st.WaitFor.Device); err != nil {
			return st, err
		}
		if !validStates[st.WaitFor.State] {
			return st, p.errorf(line, "waitFor state %q: want a device state (Enrolled, Connected, Unreachable, Disconnected, Pending) or an app's (Running, Sleeping, Stopped, Trapped, Failed, None)", st.WaitFor.State)
		}
	case st.Deploy != nil:
		if st.Deploy.App == "" {
			return st, p.errorf(line, "deploy names no app")
		}
		for _, n := range st.Deploy.To {
			if err := device(n); err != nil {
				return st, err
			}
		}
		if len(st.Deploy.To) == 0 && !hasApp(lab, st.Deploy.App) {
			return st, p.errorf(line, "deploy %q: not an Application of the lab, so it needs to: [devices]", st.Deploy.App)
		}
		if !hasApp(lab, st.Deploy.App) {
			path := st.Deploy.App
			if !filepath.IsAbs(path) {
				path = filepath.Join(p.dir, path)
			}
			if _, err := os.Stat(path); err != nil {
				return st, p.errorf(line, "deploy: no Application %q in the lab and no module at %s", st.Deploy.App, path)
			}
			st.Deploy.App = path
		}
	case st.Stop != nil:
		for _, n := range st.Stop.To {
			if err := device(n); err != nil {
				return st, err
			}
		}
	case st.ExpectSerial != nil:
		e := st.ExpectSerial
		if err := device(e.Device); err != nil {
			return st, err
		}
		if (e.Text == "") == (e.Regex == "") {
			return st, p.errorf(line, "expectSerial: give text or regex, one of them")
		}
		pat := regexp.QuoteMeta(e.Text)
		if e.Regex != "" {
			pat = e.Regex
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			return st, p.errorf(line, "expectSerial regex %q: %v", e.Regex, err)
		}
		e.re = re
	case st.WriteSerial != nil:
		if err := device(st.WriteSerial.Device); err != nil {
			return st, err
		}
	case st.ExpectPublished != nil:
		if err := device(st.ExpectPublished.Device); err != nil {
			return st, err
		}
		if st.ExpectPublished.Topic == "" {
			return st, p.errorf(line, "expectPublished names no topic")
		}
	case st.Fault != nil:
		return st, p.fault(line, st.Fault, device)
	case st.SetSensor != nil:
		if err := device(st.SetSensor.Device); err != nil {
			return st, err
		}
	case sd.Sleep != "":
		d, err := time.ParseDuration(sd.Sleep)
		if err != nil || d <= 0 {
			return st, p.errorf(line, "sleep %q: want a duration, like 500ms", sd.Sleep)
		}
		st.Sleep = d
	case st.HTTP != nil:
		if st.HTTP.Path == "" || st.HTTP.Path[0] != '/' {
			return st, p.errorf(line, "http path %q: want an API path, like /v1/status", st.HTTP.Path)
		}
		switch st.HTTP.Method {
		case "":
			st.HTTP.Method = "GET"
		case "GET", "POST", "PUT", "DELETE":
		default:
			return st, p.errorf(line, "http method %q: want GET, POST, PUT or DELETE", st.HTTP.Method)
		}
	}
	return st, nil
}

func (p *parser) fault(line int, f *Fault, device func(string) error) error {
	kinds := 0
	for _, set := range []bool{f.Reset, f.Kill, f.Power != "", f.GatewayRestart, f.LinkCut != "", f.LinkCorrupt != 0, f.LinkDelay != ""} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return p.errorf(line, "a fault is one of reset, kill, power, gatewayRestart, linkCut, linkCorrupt, linkDelay")
	}
	if !f.GatewayRestart {
		if err := device(f.Device); err != nil {
			return err
		}
	}
	if f.Power != "" && f.Power != "off" && f.Power != "on" {
		return p.errorf(line, "power %q: want off or on", f.Power)
	}
	for _, d := range []struct {
		text string
		to   *time.Duration
	}{{f.LinkCut, &f.cut}, {f.LinkDelay, &f.delay}} {
		if d.text == "" {
			continue
		}
		v, err := time.ParseDuration(d.text)
		if err != nil || v < 0 {
			return p.errorf(line, "fault duration %q: want a duration, like 2s", d.text)
		}
		*d.to = v
	}
	if f.LinkCorrupt < 0 || f.LinkCorrupt > 1 {
		return p.errorf(line, "linkCorrupt %v: want a rate from 0 to 1", f.LinkCorrupt)
	}
	return nil
}

var validStates = map[string]bool{
	"Pending": true, "Enrolling": true, "Enrolled": true, "Connected": true, "Unreachable": true, "Disconnected": true,
	"None": true, "Deploying": true, "Running": true, "Sleeping": true, "Stopped": true, "Trapped": true, "Failed": true,
}

func hasApp(l *Lab, name string) bool {
	for _, a := range l.Apps {
		if a.Name == name {
			return true
		}
	}
	return false
}

// valueOf is the value of key in mapping n.
func valueOf(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return &yaml.Node{}
}

func trimExt(name string) string {
	return name[:len(name)-len(filepath.Ext(name))]
}

// String describes a step in a line, for reports.
func (s Step) String() string {
	switch {
	case s.WaitFor != nil:
		return fmt.Sprintf("waitFor %s %s", s.WaitFor.Device, s.WaitFor.State)
	case s.Deploy != nil:
		return fmt.Sprintf("deploy %s to %v", filepath.Base(s.Deploy.App), s.Deploy.To)
	case s.Stop != nil:
		return fmt.Sprintf("stop %v", s.Stop.To)
	case s.ExpectSerial != nil:
		return fmt.Sprintf("expectSerial %s /%s/", s.ExpectSerial.Device, s.ExpectSerial.re)
	case s.WriteSerial != nil:
		return fmt.Sprintf("writeSerial %s %q", s.WriteSerial.Device, s.WriteSerial.Text)
	case s.ExpectPublished != nil:
		return fmt.Sprintf("expectPublished %s %s", s.ExpectPublished.Device, s.ExpectPublished.Topic)
	case s.Fault != nil:
		return "fault " + s.Fault.String()
	case s.SetSensor != nil:
		return fmt.Sprintf("setSensor %s %s=%d", s.SetSensor.Device, s.SetSensor.Sensor, s.SetSensor.Value)
	case s.HTTP != nil:
		return fmt.Sprintf("http %s %s", s.HTTP.Method, s.HTTP.Path)
	}
	return fmt.Sprintf("sleep %v", s.Sleep)
}
