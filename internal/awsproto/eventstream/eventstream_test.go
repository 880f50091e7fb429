package eventstream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

func allTypes() []Header {
	return []Header{
		{":message-type", String("event")},
		{"t", Bool(true)},
		{"f", Bool(false)},
		{"b", Byte(-7)},
		{"s", Short(-1234)},
		{"i", Int(-123456789)},
		{"l", Long(-1 << 40)},
		{"bytes", Bytes([]byte{0, 1, 2, 0xff})},
		{"ts", Timestamp(1700000000123)},
		{"u", UUID([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})},
		{"empty", String("")},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, payload := range [][]byte{nil, []byte("{}"), bytes.Repeat([]byte("x"), 70000)} {
		for _, headers := range [][]Header{nil, allTypes()} {
			b, err := AppendMessage(nil, headers, payload)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(b), int(binary.BigEndian.Uint32(b)); got != want {
				t.Fatalf("len %d, total field %d", got, want)
			}
			m, err := Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(m.Headers, headers) {
				t.Errorf("headers:\n got %#v\nwant %#v", m.Headers, headers)
			}
			if !bytes.Equal(m.Payload, payload) {
				t.Errorf("payload: got %d bytes, want %d", len(m.Payload), len(payload))
			}
		}
	}
}

func TestBeginFinishAppendsInPlace(t *testing.T) {
	prefix := []byte("previous message bytes")
	b, start, err := Begin(append([]byte(nil), prefix...), []Header{{HeaderEventType, String("E")}})
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, `{"a":1}`...)
	b, err = Finish(b, start)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, prefix) {
		t.Fatal("prefix clobbered")
	}
	m, err := Parse(b[len(prefix):])
	if err != nil {
		t.Fatal(err)
	}
	if m.GetString(HeaderEventType) != "E" || string(m.Payload) != `{"a":1}` {
		t.Fatalf("got %+v %q", m.Headers, m.Payload)
	}
}

func TestDecoderStream(t *testing.T) {
	var stream []byte
	for i := range 3 {
		var err error
		stream, err = AppendMessage(stream, []Header{{"n", Int(int32(i))}}, []byte(strings.Repeat("p", i)))
		if err != nil {
			t.Fatal(err)
		}
	}
	d := NewDecoder(bytes.NewReader(stream))
	for i := range 3 {
		m, err := d.Decode()
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := m.Get("n"); v.Int != int64(i) || len(m.Payload) != i {
			t.Fatalf("message %d: %+v", i, m)
		}
	}
	if _, err := d.Decode(); err != io.EOF {
		t.Fatalf("want io.EOF, got %v", err)
	}
	// A stream cut inside a message is an unexpected EOF.
	d = NewDecoder(bytes.NewReader(stream[:len(stream)-3]))
	d.Decode()
	d.Decode()
	if _, err := d.Decode(); err != io.ErrUnexpectedEOF {
		t.Fatalf("want io.ErrUnexpectedEOF, got %v", err)
	}
}

func TestRejectsCorruption(t *testing.T) {
	good, err := AppendMessage(nil, allTypes(), []byte("payload"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := append([]byte(nil), good...)
		b[i] ^= 0x40
		return b
	}
	cases := map[string]struct {
		b    []byte
		want error
	}{
		"prelude byte":   {flip(2), ErrPreludeCRC},
		"prelude crc":    {flip(9), ErrPreludeCRC},
		"header byte":    {flip(14), ErrMessageCRC},
		"payload byte":   {flip(len(good) - 6), ErrMessageCRC},
		"message crc":    {flip(len(good) - 1), ErrMessageCRC},
		"truncated":      {good[:len(good)-1], ErrMalformed},
		"too short":      {good[:10], ErrMalformed},
		"trailing bytes": {append(append([]byte(nil), good...), 0), ErrMalformed},
	}
	for name, c := range cases {
		if _, err := Parse(c.b); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
		if name == "trailing bytes" {
			continue // to a stream decoder that is the start of the next message
		}
		if _, err := NewDecoder(bytes.NewReader(c.b)).Decode(); err == nil {
			t.Errorf("%s: decoder accepted it", name)
		}
	}
}

// withPrelude builds a 12-byte prelude with a valid CRC, so that a test can
// reach the length checks behind the CRC check.
func withPrelude(total, headers uint32) []byte {
	p := binary.BigEndian.AppendUint32(nil, total)
	p = binary.BigEndian.AppendUint32(p, headers)
	return binary.BigEndian.AppendUint32(p, crc32.ChecksumIEEE(p))
}

func TestDecoderChecksLengthsBeforeAllocating(t *testing.T) {
	cases := map[string]struct {
		p    []byte
		want error
	}{
		"total below minimum":     {withPrelude(15, 0), ErrMalformed},
		"total above limit":       {withPrelude(MaxMessageLen+1, 0), ErrTooLarge},
		"total 4 GiB":             {withPrelude(0xffffffff, 0), ErrTooLarge},
		"headers beyond total":    {withPrelude(100, 90), ErrMalformed},
		"headers above limit":     {withPrelude(MaxMessageLen, MaxHeadersLen+1), ErrTooLarge},
		"payload above the limit": {withPrelude(MaxMessageLen, 0), ErrTooLarge},
	}
	for name, c := range cases {
		// The reader has nothing after the prelude: a decoder that trusted
		// the length would allocate and then fail with an EOF instead.
		_, err := NewDecoder(bytes.NewReader(c.p)).Decode()
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
	}
	d := NewDecoder(bytes.NewReader(withPrelude(1000, 0)))
	d.SetMaxMessageLen(999)
	if _, err := d.Decode(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("custom limit: got %v", err)
	}
}

func TestRejectsBadHeaders(t *testing.T) {
	raw := func(headers []byte) []byte {
		b := make([]byte, PreludeLen, 64)
		b = append(b, headers...)
		binary.BigEndian.PutUint32(b[4:8], uint32(len(headers)))
		b, err := Finish(b, 0)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := map[string][]byte{
		"empty name":          {0, 7, 0, 0},
		"name past end":       {5, 'a', 'b'},
		"no type":             {1, 'a'},
		"unknown type":        {1, 'a', 10},
		"short int":           {1, 'a', 4, 0, 0},
		"string length short": {1, 'a', 7, 0},
		"string past end":     {1, 'a', 7, 0, 5, 'x'},
		"uuid short":          {1, 'a', 9, 1, 2, 3},
	}
	for name, h := range cases {
		if _, err := Parse(raw(h)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func TestEncoderLimits(t *testing.T) {
	long := strings.Repeat("n", 256)
	if _, err := AppendMessage(nil, []Header{{long, Bool(true)}}, nil); err == nil {
		t.Error("accepted a 256-byte header name")
	}
	if _, err := AppendMessage(nil, []Header{{"", Bool(true)}}, nil); err == nil {
		t.Error("accepted an empty header name")
	}
	if _, err := AppendMessage(nil, []Header{{"s", String(strings.Repeat("v", MaxHeaderValueLen+1))}}, nil); err == nil {
		t.Error("accepted an over-long string value")
	}
	if _, err := AppendMessage(nil, []Header{{"u", Value{Type: TypeUUID, Bytes: []byte{1}}}}, nil); err == nil {
		t.Error("accepted a 1-byte UUID")
	}
	prev := []byte("keep")
	b, err := AppendMessage(prev, nil, make([]byte, MaxPayloadLen+1))
	if !errors.Is(err, ErrTooLarge) || string(b) != "keep" {
		t.Errorf("oversized payload: err %v, dst %q", err, b)
	}
}

// TestInteropWithAWSSDK checks that the AWS SDK for Go v2 decodes what this
// package encodes, header by header, and the other way round.
func TestInteropWithAWSSDK(t *testing.T) {
	payload := []byte(`{"Records":[]}`)
	b, err := AppendMessage(nil, allTypes(), payload)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sdk.NewDecoder().Decode(bytes.NewReader(b), nil)
	if err != nil {
		t.Fatalf("SDK decoder rejected our message: %v", err)
	}
	if !bytes.Equal(m.Payload, payload) {
		t.Errorf("payload %q", m.Payload)
	}
	want := map[string]any{
		":message-type": "event",
		"t":             true,
		"f":             false,
		"b":             int8(-7),
		"s":             int16(-1234),
		"i":             int32(-123456789),
		"l":             int64(-1 << 40),
		"bytes":         []byte{0, 1, 2, 0xff},
		"ts":            time.UnixMilli(1700000000123),
		"u":             []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		"empty":         "",
	}
	if len(m.Headers) != len(want) {
		t.Fatalf("SDK saw %d headers, want %d", len(m.Headers), len(want))
	}
	for name, w := range want {
		v := m.Headers.Get(name)
		if v == nil {
			t.Errorf("header %s missing", name)
			continue
		}
		got := v.Get()
		if tm, ok := got.(time.Time); ok {
			if !tm.Equal(w.(time.Time)) {
				t.Errorf("%s: %v, want %v", name, tm, w)
			}
			continue
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s: %#v, want %#v", name, got, w)
		}
	}

	// And the SDK's encoding decodes here to the same message.
	var buf bytes.Buffer
	if err := sdk.NewEncoder().Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), b) {
		t.Errorf("SDK re-encoding differs from ours:\n sdk %x\n our %x", buf.Bytes(), b)
	}
	back, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Headers, allTypes()) {
		t.Errorf("headers after SDK round trip: %#v", back.Headers)
	}
}

func BenchmarkAppendEvent(b *testing.B) {
	for _, size := range []int{100, 10 << 10, 1 << 20} {
		payload := bytes.Repeat([]byte("x"), size)
		headers := []Header{
			{HeaderEventType, String("SubscribeToShardEvent")},
			{HeaderContentType, String("application/json")},
			{HeaderMessageType, String(MessageTypeEvent)},
		}
		b.Run("payload="+byteSize(size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			var buf []byte
			for b.Loop() {
				var err error
				buf, err = AppendMessage(buf[:0], headers, payload)
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}
