package scenario

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jstemmer/go-junit-report/v2/gtr"
	"github.com/jstemmer/go-junit-report/v2/parser/gotest"

	"wasmbed-lab/lab/labfile"
)

func sampleResults() []Result {
	t0 := time.Unix(1000, 0)
	step := func(i, line int, err error) StepResult {
		return StepResult{Index: i, Step: labfile.Step{Line: line, Sleep: time.Second}, Start: t0.Add(time.Duration(i) * time.Second),
			Elapsed: 500 * time.Millisecond, Err: err}
	}
	notRun := func(i, line int) StepResult {
		return StepResult{Index: i, Step: labfile.Step{Line: line, Sleep: time.Second}}
	}
	fail := errors.New("scenario b, step 2 (line 9) sleep 1s: boom\nlast console lines:\n  x")
	return []Result{
		{Name: "a", Start: t0, Elapsed: 3 * time.Second, Steps: []StepResult{step(1, 5, nil), step(2, 6, nil)}},
		{Name: "b", Start: t0.Add(3 * time.Second), Elapsed: 2 * time.Second, Code: ExitFail, Err: fail,
			Steps: []StepResult{step(1, 8, nil), step(2, 9, fail), notRun(3, 10)}},
		{Name: "c", Start: t0.Add(5 * time.Second), Elapsed: time.Second, Code: ExitInfrastructure, Err: errors.New("no QEMU"),
			Steps: []StepResult{notRun(1, 4)}},
	}
}

func TestWriteJUnit(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, sampleResults()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Errors   int    `xml:"errors,attr"`
			Skipped  int    `xml:"skipped,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
				Error   *struct{} `xml:"error"`
				Skipped *string   `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	s := doc.Suites
	if len(s) != 3 || s[0].Tests != 2 || s[0].Failures != 0 || s[1].Failures != 1 || s[1].Skipped != 1 ||
		s[2].Errors != 1 || s[2].Skipped != 1 || s[2].Tests != 2 {
		t.Fatalf("suites %+v", s)
	}
	if c := s[1].Cases[2]; c.Skipped == nil || c.Failure != nil {
		t.Errorf("the step after the failure %+v", c)
	}
	if c := s[2].Cases[0]; c.Name != "setup" || c.Error == nil {
		t.Errorf("the failed setup %+v", c)
	}
	if c := s[1].Cases[1]; c.Name != "02_sleep_1s" || c.Failure == nil || c.Failure.Message != "scenario b, step 2 (line 9) sleep 1s: boom" {
		t.Errorf("the failed case %+v", c)
	}
}

// TestWriteJSON: the events read as go test -json does: each test runs,
// then ends (subtests before their parent), and the package's verdict last.
func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleResults()); err != nil {
		t.Fatal(err)
	}
	ended := map[string]string{}
	running := map[string]bool{}
	var last TestEvent
	sc := bufio.NewScanner(&b)
	for sc.Scan() {
		var e TestEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		switch e.Action {
		case "run":
			running[e.Test] = true
		case "pass", "fail", "skip":
			if e.Test != "" && !running[e.Test] {
				t.Errorf("%s ends before it runs", e.Test)
			}
			for name := range ended {
				if strings.HasPrefix(name, e.Test+"/") == false && e.Test != "" && strings.HasPrefix(e.Test, name+"/") {
					t.Errorf("subtest %s ends after its parent %s", e.Test, name)
				}
			}
			ended[e.Test] = e.Action
		}
		last = e
	}
	want := map[string]string{"a": "pass", "a/01_sleep_1s": "pass", "b": "fail", "b/02_sleep_1s": "fail",
		"b/03_sleep_1s": "skip", "c": "fail", "c/01_sleep_1s": "skip", "": "fail"}
	for name, action := range want {
		if ended[name] != action {
			t.Errorf("%q ended %q, want %q", name, ended[name], action)
		}
	}
	if last.Test != "" || last.Action != "fail" || last.Package != JSONPackage {
		t.Errorf("the last event %+v", last)
	}
}

// TestJSONReadByGoJUnitReport: go-junit-report, which CI tools use to read
// go test -json, reads the stream as one package whose tests are the
// scenarios' steps, with their verdicts.
func TestJSONReadByGoJUnitReport(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleResults()); err != nil {
		t.Fatal(err)
	}
	report, err := gotest.NewJSONParser().Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Packages) != 1 || report.Packages[0].Name != JSONPackage {
		t.Fatalf("packages %+v", report.Packages)
	}
	results := map[string]gtr.Result{}
	for _, test := range report.Packages[0].Tests {
		results[test.Name] = test.Result
	}
	if results["a/01_sleep_1s"] != gtr.Pass || results["b/02_sleep_1s"] != gtr.Fail ||
		results["b/03_sleep_1s"] != gtr.Skip || report.IsSuccessful() {
		t.Errorf("tests %v", results)
	}
}
