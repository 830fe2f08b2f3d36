package scenario

import (
	"cmp"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// WriteJUnit writes the results as JUnit XML, valid against the schema
// Jenkins reads: a test suite per scenario, a test case per step (steps
// that did not run are skipped), and an error case when the lab did not
// come up.
func WriteJUnit(w io.Writer, results []Result) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	type skipped struct {
		Text string `xml:",chardata"` // the schema has no message attribute here
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		ClassName string   `xml:"classname,attr"`
		Time      string   `xml:"time,attr"`
		Failure   *failure `xml:"failure,omitempty"`
		Error     *failure `xml:"error,omitempty"`
		Skipped   *skipped `xml:"skipped,omitempty"`
	}
	type testsuite struct {
		Name      string     `xml:"name,attr"`
		Tests     int        `xml:"tests,attr"`
		Failures  int        `xml:"failures,attr"`
		Errors    int        `xml:"errors,attr"`
		Skipped   int        `xml:"skipped,attr"`
		Time      string     `xml:"time,attr"`
		Timestamp string     `xml:"timestamp,attr"`
		Hostname  string     `xml:"hostname,attr,omitempty"`
		Cases     []testcase `xml:"testcase"`
	}
	type testsuites struct {
		XMLName xml.Name    `xml:"testsuites"`
		Suites  []testsuite `xml:"testsuite"`
	}
	var out testsuites
	host, _ := os.Hostname()
	for _, r := range results {
		s := testsuite{Name: r.Name, Time: seconds(r.Elapsed), Timestamp: r.Start.UTC().Format("2006-01-02T15:04:05"), Hostname: host}
		ran := 0
		for _, st := range r.Steps {
			c := testcase{Name: stepName(st), ClassName: r.Name, Time: seconds(st.Elapsed)}
			switch {
			case st.Start.IsZero():
				c.Skipped = &skipped{Text: "not run: an earlier step or the setup failed"}
				s.Skipped++
			case st.Err != nil:
				c.Failure = &failure{Message: firstLine(st.Err.Error()), Type: "step", Text: st.Err.Error()}
				s.Failures++
			}
			if !st.Start.IsZero() {
				ran++
			}
			s.Cases = append(s.Cases, c)
		}
		if r.Err != nil && ran == 0 { // the lab did not come up
			s.Cases = append([]testcase{{Name: "setup", ClassName: r.Name, Time: seconds(r.Elapsed),
				Error: &failure{Message: firstLine(r.Err.Error()), Type: "setup", Text: r.Err.Error()}}}, s.Cases...)
			s.Errors++
		}
		s.Tests = len(s.Cases)
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// TestEvent is one line of `go test -json` (cmd/test2json's format).
type TestEvent struct {
	Time    time.Time `json:",omitempty"`
	Action  string
	Package string   `json:",omitempty"`
	Test    string   `json:",omitempty"`
	Elapsed *float64 `json:",omitempty"`
	Output  string   `json:",omitempty"`
}

// JSONPackage is the package name the JSON stream reports scenarios under.
const JSONPackage = "wasmbed-lab/scenarios"

// WriteJSON writes the results as `go test -json` events: each scenario a
// test, each step a subtest, so gotestsum and go-junit-report read them.
func WriteJSON(w io.Writer, results []Result) error {
	enc := json.NewEncoder(w)
	emit := func(t time.Time, action, test, output string, elapsed *time.Duration) error {
		e := TestEvent{Time: t, Action: action, Package: JSONPackage, Test: test, Output: output}
		if elapsed != nil {
			s := elapsed.Seconds()
			e.Elapsed = &s
		}
		return enc.Encode(e)
	}
	failed := false
	var total time.Duration
	var end time.Time
	for _, r := range results {
		total += r.Elapsed
		end = r.Start.Add(r.Elapsed)
		if err := emit(r.Start, "run", r.Name, "", nil); err != nil {
			return err
		}
		for _, st := range r.Steps {
			name := r.Name + "/" + stepName(st)
			if err := emit(cmp.Or(st.Start, end), "run", name, "", nil); err != nil {
				return err
			}
			at := st.Start
			action, out := "pass", fmt.Sprintf("--- PASS: %s (%.2fs)\n", name, st.Elapsed.Seconds())
			switch {
			case at.IsZero():
				at = end
				action, out = "skip", fmt.Sprintf("    not run: an earlier step or the setup failed\n--- SKIP: %s (0.00s)\n", name)
			case st.Err != nil:
				action, out = "fail", fmt.Sprintf("    %s\n--- FAIL: %s (%.2fs)\n", st.Err, name, st.Elapsed.Seconds())
			}
			if err := emit(at.Add(st.Elapsed), "output", name, out, nil); err != nil {
				return err
			}
			if err := emit(at.Add(st.Elapsed), action, name, "", &st.Elapsed); err != nil {
				return err
			}
		}
		action := "pass"
		if r.Err != nil {
			action, failed = "fail", true
			if err := emit(end, "output", r.Name, r.Err.Error()+"\n", nil); err != nil {
				return err
			}
		}
		if err := emit(end, action, r.Name, "", &r.Elapsed); err != nil {
			return err
		}
	}
	action, summary := "pass", "ok  "
	if failed {
		action, summary = "fail", "FAIL"
	}
	// The package's summary line, as go test prints it: readers take the
	// package from it.
	if err := emit(end, "output", "", fmt.Sprintf("%s\t%s\t%.3fs\n", summary, JSONPackage, total.Seconds()), nil); err != nil {
		return err
	}
	return emit(end, action, "", "", &total)
}

// stepName names a step for reports, as a test name: its index and what
// it does, e.g. "03_fault_m3_kill" (go test writes spaces as underscores;
// a slash would nest).
func stepName(st StepResult) string {
	var b strings.Builder
	gap := false
	for _, r := range st.Step.String() {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-'
		switch {
		case ok && gap && b.Len() > 0:
			b.WriteByte('_')
			fallthrough
		case ok:
			b.WriteRune(r)
			gap = false
		default:
			gap = true
		}
	}
	name := b.String()
	if len(name) > 60 {
		name = name[:60]
	}
	return fmt.Sprintf("%02d_%s", st.Index, name)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
