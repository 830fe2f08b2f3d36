package store

import (
	"bytes"
	"strings"
	"testing"
)

func TestSecretRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		value []byte
		want  []byte
	}{
		{"gateway-ca", []byte("-----BEGIN PRIVATE KEY-----\n..."), []byte("-----BEGIN PRIVATE KEY-----\n...")},
		{"device-ca", []byte{0, 1, 2, 0xff}, []byte{0, 1, 2, 0xff}},
		{"empty", []byte{}, []byte{}},
		{"nil", nil, []byte{}}, // stored, so present, though empty
	}
	s := openTest(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.PutSecret(tt.name, tt.value); err != nil {
				t.Fatal(err)
			}
			got, ok, err := s.Secret(tt.name)
			if err != nil || !ok || !bytes.Equal(got, tt.want) || got == nil {
				t.Errorf("Secret(%q) = %q, %v, %v; want %q, true, nil", tt.name, got, ok, err, tt.want)
			}
		})
	}
}

func TestSecretAbsentAndReplaced(t *testing.T) {
	s := openTest(t)
	if got, ok, err := s.Secret("gateway-server"); got != nil || ok || err != nil {
		t.Errorf("absent Secret = %q, %v, %v; want nil, false, nil", got, ok, err)
	}
	for _, v := range []string{"old", "new"} {
		if err := s.PutSecret("gateway-server", []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	got, _, _ := s.Secret("gateway-server")
	if string(got) != "new" {
		t.Errorf("Secret after replace = %q, want %q", got, "new")
	}
	// The caller owns the copy it got.
	got[0] = 'X'
	if again, _, _ := s.Secret("gateway-server"); string(again) != "new" {
		t.Errorf("Secret after changing the returned slice = %q", again)
	}
}

func TestSecretErrorsHideValue(t *testing.T) {
	const value = "do-not-print-me"
	s := openTest(t)
	if err := s.PutSecret("", []byte(value)); err == nil || strings.Contains(err.Error(), value) {
		t.Errorf("PutSecret with empty name: %v", err)
	}
	s.Close()
	err := s.PutSecret("device-ca", []byte(value))
	if err == nil {
		t.Fatal("PutSecret on a closed store succeeded")
	}
	if msg := err.Error(); strings.Contains(msg, value) || !strings.HasPrefix(msg, "store: ") {
		t.Errorf("error %q leaks the value or lacks the prefix", msg)
	}
}
