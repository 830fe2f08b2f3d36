package lab

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"wasmbed-lab/lab/link"
)

// hostileLine is a device that sends the fuzz input and swallows replies.
type hostileLine struct{ in *bytes.Reader }

func (h hostileLine) Read(p []byte) (int, error)  { return h.in.Read(p) }
func (h hostileLine) Write(p []byte) (int, error) { return len(p), nil }

// FuzzLinkPeer feeds the lab's end of a link whatever a hostile device
// sends: frames of every type with any payload, in any order. The peer must
// never panic, and every session it opens must end when the link does.
func FuzzLinkPeer(f *testing.F) {
	frame := func(t link.Type, payload ...byte) []byte {
		b, err := link.AppendFrame(nil, t, payload)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	hello := frame(link.TypeReset, append([]byte{link.Version}, "native"...)...)
	f.Add(hello)
	f.Add(append(append(hello, frame(link.TypeData, 0, 1, 2, 3)...), frame(link.TypeAck, 1)...))
	f.Add(append(append(hello, frame(link.TypeData, 5)...), frame(link.TypeData)...))
	f.Add(append(append(frame(link.TypeData, 0, 9), hello...), frame(link.TypePong, 1, 2, 3, 4, 5, 6, 7, 8)...))
	f.Add(append(hello, frame(link.TypeData, append([]byte{0}, bytes.Repeat([]byte{7}, 300)...)...)...))
	f.Fuzz(func(t *testing.T, input []byte) {
		ended := make(chan struct{}, len(input)) // at most one session per input byte
		p := newLinkPeer(hostileLine{bytes.NewReader(input)}, "native", func(c net.Conn) {
			io.Copy(io.Discard, c) // until the session ends
			ended <- struct{}{}
		}, nil)
		p.run()
		p.endSession()
		// Each hello started a session; every one must have ended.
		for i := uint64(0); i < p.State().Hellos; i++ {
			select {
			case <-ended:
			case <-time.After(5 * time.Second):
				t.Fatalf("%d of %d sessions still open after the link ended", p.State().Hellos-i, p.State().Hellos)
			}
		}
	})
}
