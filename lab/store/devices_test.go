package store

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// testDevice returns a device with every field set. Times are UTC without a
// monotonic reading, as they come back from the store.
func testDevice(id, name string) Device {
	first := time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)
	return Device{
		ID:         id,
		PublicKey:  []byte{0x30, 0x59, 0x30, 0x13, byte(len(id))},
		Name:       name,
		Board:      "stm32f4-disco",
		State:      "Connected",
		Enrolled:   true,
		Revoked:    false,
		FirstSeen:  first,
		LastSeen:   first.Add(90 * time.Minute),
		Sessions:   3,
		Heartbeats: 1200,
		Missed:     2,
	}
}

func TestDeviceRoundTrip(t *testing.T) {
	s := openTest(t)
	want := testDevice("0b8f9a3e-6f1c-5d2a-9b7e-1c2d3e4f5a6b", "bench-1")
	if err := s.PutDevice(want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Device(want.ID)
	if err != nil || !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("Device = %+v, %v, %v\nwant %+v", got, ok, err, want)
	}

	want.State, want.Revoked = "Disconnected", true
	if err := s.PutDevice(want); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.Device(want.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("after replace Device = %+v, want %+v", got, want)
	}

	if err := s.DeleteDevice(want.ID); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.Device(want.ID); ok || err != nil || !reflect.DeepEqual(got, Device{}) {
		t.Errorf("after delete Device = %+v, %v, %v", got, ok, err)
	}
	if err := s.DeleteDevice(want.ID); err != nil {
		t.Errorf("deleting an absent device: %v", err)
	}
	if err := s.PutDevice(Device{Name: "no id"}); err == nil {
		t.Error("PutDevice without an ID succeeded")
	}
}

func TestDevicesSorted(t *testing.T) {
	s := openTest(t)
	for _, d := range []Device{
		testDevice("c", "beta"),
		testDevice("b", "alpha"),
		testDevice("a", "beta"),
		testDevice("d", ""),
	} {
		if err := s.PutDevice(d); err != nil {
			t.Fatal(err)
		}
	}
	devices, err := s.Devices()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range devices {
		got = append(got, d.Name+"/"+d.ID)
	}
	if want := []string{"/d", "alpha/b", "beta/a", "beta/c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Devices order = %q, want %q", got, want)
	}
}

func TestUpdateDevice(t *testing.T) {
	errAbort := errors.New("abort")
	seen := func(d *Device, ok bool) error {
		d.Sessions++
		return nil
	}
	tests := []struct {
		name      string
		existing  *Device
		fn        func(d *Device, ok bool) error
		wantOK    bool // what fn is told
		wantErr   bool
		wantSaved *Device // nil: absent afterwards
	}{
		{
			name:      "create",
			fn:        seen,
			wantSaved: &Device{ID: "x", Sessions: 1},
		},
		{
			name:      "modify",
			existing:  &Device{ID: "x", Name: "n", Sessions: 4},
			fn:        seen,
			wantOK:    true,
			wantSaved: &Device{ID: "x", Name: "n", Sessions: 5},
		},
		{
			name:    "abort absent",
			fn:      func(d *Device, ok bool) error { d.Name = "changed"; return errAbort },
			wantErr: true,
		},
		{
			name:      "abort existing",
			existing:  &Device{ID: "x", Name: "n"},
			fn:        func(d *Device, ok bool) error { d.Name = "changed"; return errAbort },
			wantOK:    true,
			wantErr:   true,
			wantSaved: &Device{ID: "x", Name: "n"},
		},
		{
			name:      "id changed",
			existing:  &Device{ID: "x", Name: "n"},
			fn:        func(d *Device, ok bool) error { d.ID = "y"; return nil },
			wantOK:    true,
			wantErr:   true,
			wantSaved: &Device{ID: "x", Name: "n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			if tt.existing != nil {
				if err := s.PutDevice(*tt.existing); err != nil {
					t.Fatal(err)
				}
			}
			var gotOK bool
			var fnErr error
			got, err := s.UpdateDevice("x", func(d *Device, ok bool) error {
				gotOK = ok
				if d.ID != "x" {
					t.Errorf("fn got ID %q, want %q", d.ID, "x")
				}
				fnErr = tt.fn(d, ok)
				return fnErr
			})
			if gotOK != tt.wantOK {
				t.Errorf("fn told ok=%v, want %v", gotOK, tt.wantOK)
			}
			switch {
			case (err != nil) != tt.wantErr:
				t.Fatalf("UpdateDevice error = %v, want error: %v", err, tt.wantErr)
			case fnErr != nil && !errors.Is(err, fnErr):
				t.Errorf("UpdateDevice error %v does not wrap fn's %v", err, fnErr)
			case err == nil && !reflect.DeepEqual(got, *tt.wantSaved):
				t.Errorf("UpdateDevice returned %+v, want %+v", got, *tt.wantSaved)
			}

			saved, ok, err := s.Device("x")
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.wantSaved == nil && ok:
				t.Errorf("stored %+v, want nothing", saved)
			case tt.wantSaved != nil && !reflect.DeepEqual(saved, *tt.wantSaved):
				t.Errorf("stored %+v, want %+v", saved, *tt.wantSaved)
			}
		})
	}
}
