package store

import (
	"testing"
	"time"
)

func TestBatchWritesDevicesAndEventsTogether(t *testing.T) {
	s := openTest(t)
	now := time.Now().UTC()
	devs := []Device{{ID: "a", Name: "one", Rejected: true}, {ID: "b", Name: "two", Heartbeats: 7}}
	evs := []Event{{Time: now, Device: "a", Kind: "reject"}, {Time: now, Device: "b", Kind: "state"}}
	if err := s.Batch(devs, evs); err != nil {
		t.Fatal(err)
	}
	got, err := s.Devices()
	if err != nil || len(got) != 2 || !got[0].Rejected || got[1].Heartbeats != 7 {
		t.Fatalf("devices %+v, %v", got, err)
	}
	es, err := s.Events(0, 0)
	if err != nil || len(es) != 2 || es[0].Seq != 1 || es[1].Kind != "state" {
		t.Fatalf("events %+v, %v", es, err)
	}
	if err := s.Batch([]Device{{ID: ""}}, evs); err == nil {
		t.Fatal("a device without an id was written")
	}
	if es, _ := s.Events(0, 0); len(es) != 2 {
		t.Errorf("a failed batch appended events: %d", len(es))
	}
}
