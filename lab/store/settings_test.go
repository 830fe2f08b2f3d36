package store

import (
	"reflect"
	"testing"
)

func TestSettingRoundTrip(t *testing.T) {
	type pairing struct {
		Mode    string `json:"mode"`
		Timeout int    `json:"timeout"`
	}
	tests := []struct {
		name  string
		value any
	}{
		{"pairing-open", true},
		{"label", "bench A"},
		{"limit", 42.5},
		{"pairing", pairing{Mode: "manual", Timeout: 30}},
		{"boards", map[string]int{"stm32": 2, "esp32": 1}},
		{"list", []string{"a", "b"}},
	}
	s := openTest(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.PutSetting(tt.name, tt.value); err != nil {
				t.Fatal(err)
			}
			got := reflect.New(reflect.TypeOf(tt.value))
			ok, err := s.Setting(tt.name, got.Interface())
			if err != nil || !ok || !reflect.DeepEqual(got.Elem().Interface(), tt.value) {
				t.Errorf("Setting(%q) = %v, %v, %v; want %v", tt.name, got.Elem(), ok, err, tt.value)
			}
		})
	}
}

func TestSettingAbsentAndWrongType(t *testing.T) {
	s := openTest(t)
	v := "unchanged"
	if ok, err := s.Setting("missing", &v); ok || err != nil || v != "unchanged" {
		t.Errorf("absent Setting = %v, %v, v=%q", ok, err, v)
	}
	if err := s.PutSetting("name", "text"); err != nil {
		t.Fatal(err)
	}
	var n int
	if _, err := s.Setting("name", &n); err == nil {
		t.Error("Setting into the wrong type succeeded")
	}
	if err := s.PutSetting("bad", func() {}); err == nil {
		t.Error("PutSetting of an unencodable value succeeded")
	}
}
