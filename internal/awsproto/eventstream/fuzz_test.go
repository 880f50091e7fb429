package eventstream

import (
	"bytes"
	"testing"
)

// FuzzParse checks that arbitrary input never panics or over-allocates, and
// that whatever parses re-encodes to the same bytes.
func FuzzParse(f *testing.F) {
	for _, hs := range [][]Header{nil, allTypes(), {{HeaderMessageType, String(MessageTypeException)}, {HeaderExceptionType, String("ResourceNotFoundException")}}} {
		b, err := AppendMessage(nil, hs, []byte(`{"message":"x"}`))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(withPrelude(0xffffffff, 0))
	f.Add(withPrelude(16, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			// The stream decoder must agree that it is bad, unless what
			// Parse objected to is data after a complete first message.
			dm, derr := NewDecoder(bytes.NewReader(b)).Decode()
			if derr == nil {
				n, _ := AppendMessage(nil, dm.Headers, dm.Payload)
				if len(n) >= len(b) {
					t.Fatalf("Parse rejected (%v) what Decode accepted", err)
				}
			}
			return
		}
		again, err := AppendMessage(nil, m.Headers, m.Payload)
		if err != nil {
			t.Fatalf("re-encoding a parsed message: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n in  %x\n out %x", b, again)
		}
		d, err := NewDecoder(bytes.NewReader(b)).Decode()
		if err != nil {
			t.Fatalf("Decode rejected what Parse accepted: %v", err)
		}
		if len(d.Headers) != len(m.Headers) || !bytes.Equal(d.Payload, m.Payload) {
			t.Fatal("Decode and Parse disagree")
		}
	})
}
