package store

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// seqs returns the sequence numbers of events.
func seqs(events []Event) []uint64 {
	out := []uint64{}
	for _, e := range events {
		out = append(out, e.Seq)
	}
	return out
}

func TestAppendEvent(t *testing.T) {
	s := openTest(t)
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	in := Event{Seq: 99, Time: at, Device: "dev-1", Kind: "approve", Detail: "by operator"}
	got, err := s.AppendEvent(in)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.Seq = 1 // assigned, whatever the caller set
	if got != want {
		t.Errorf("AppendEvent = %+v, want %+v", got, want)
	}
	stored, err := s.Events(0, 0)
	if err != nil || len(stored) != 1 || stored[0] != want {
		t.Errorf("Events = %+v, %v; want [%+v]", stored, err, want)
	}
}

func TestEventsRange(t *testing.T) {
	s := openTest(t)
	for range 5 {
		if _, err := s.AppendEvent(Event{Kind: "state"}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		after uint64
		limit int
		want  []uint64
	}{
		{0, 0, []uint64{1, 2, 3, 4, 5}},
		{0, -1, []uint64{1, 2, 3, 4, 5}},
		{0, 2, []uint64{1, 2}},
		{2, 2, []uint64{3, 4}},
		{3, 10, []uint64{4, 5}},
		{5, 0, []uint64{}},
		{math.MaxUint64, 0, []uint64{}},
	}
	for _, tt := range tests {
		got, err := s.Events(tt.after, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(seqs(got), tt.want) {
			t.Errorf("Events(%d, %d) = %v, want %v", tt.after, tt.limit, seqs(got), tt.want)
		}
	}
}

func TestEventsCapped(t *testing.T) {
	s := openTest(t)
	s.maxEvents = 3
	for i := range 10 {
		e, err := s.AppendEvent(Event{Kind: "state"})
		if err != nil {
			t.Fatal(err)
		}
		if want := uint64(i + 1); e.Seq != want {
			t.Fatalf("append %d got Seq %d, want %d", i, e.Seq, want)
		}
		events, err := s.Events(0, 0)
		if err != nil {
			t.Fatal(err)
		}
		first := uint64(1)
		if e.Seq > s.maxEvents {
			first = e.Seq - s.maxEvents + 1
		}
		if want := seqRange(first, e.Seq); !reflect.DeepEqual(seqs(events), want) {
			t.Errorf("after append %d: Events = %v, want %v", i, seqs(events), want)
		}
	}
}

// TestEventsCapLowered spreads the log over several pages, then lowers the
// cap so that one append deletes many events.
func TestEventsCapLowered(t *testing.T) {
	s := openTest(t)
	s.maxEvents = 50
	detail := strings.Repeat("x", 200)
	for range 200 {
		if _, err := s.AppendEvent(Event{Kind: "state", Detail: detail}); err != nil {
			t.Fatal(err)
		}
	}
	s.maxEvents = 10
	if _, err := s.AppendEvent(Event{Kind: "state"}); err != nil {
		t.Fatal(err)
	}
	events, err := s.Events(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := seqRange(192, 201); !reflect.DeepEqual(seqs(events), want) {
		t.Errorf("Events = %v, want %v", seqs(events), want)
	}
}

// seqRange returns first, first+1, ..., last.
func seqRange(first, last uint64) []uint64 {
	var out []uint64
	for seq := first; seq <= last; seq++ {
		out = append(out, seq)
	}
	return out
}
