package kinesisapi

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// jcbor builds CBOR the way Jackson's CBORGenerator (the AWS SDK for Java)
// does: indefinite-length maps and arrays, long strings in chunks.
type jcbor struct{ bytes.Buffer }

func (b *jcbor) head(major byte, n uint64) *jcbor {
	switch {
	case n < 24:
		b.WriteByte(major<<5 | byte(n))
	case n < 1<<8:
		b.WriteByte(major<<5 | 24)
		b.WriteByte(byte(n))
	case n < 1<<16:
		b.WriteByte(major<<5 | 25)
		b.Write(binary.BigEndian.AppendUint16(nil, uint16(n)))
	case n < 1<<32:
		b.WriteByte(major<<5 | 26)
		b.Write(binary.BigEndian.AppendUint32(nil, uint32(n)))
	default:
		b.WriteByte(major<<5 | 27)
		b.Write(binary.BigEndian.AppendUint64(nil, n))
	}
	return b
}
func (b *jcbor) text(s string) *jcbor  { b.head(3, uint64(len(s))); b.WriteString(s); return b }
func (b *jcbor) bytes(p []byte) *jcbor { b.head(2, uint64(len(p))); b.Write(p); return b }
func (b *jcbor) startMap() *jcbor      { b.WriteByte(0xbf); return b }
func (b *jcbor) startArray() *jcbor    { b.WriteByte(0x9f); return b }
func (b *jcbor) end() *jcbor           { b.WriteByte(0xff); return b }
func (b *jcbor) raw(p ...byte) *jcbor  { b.Write(p); return b }
func (b *jcbor) chunkedText(parts ...string) *jcbor {
	b.WriteByte(0x7f)
	for _, p := range parts {
		b.text(p)
	}
	return b.end()
}

// What the Java SDK sends for PutRecords: indefinite containers, byte
// strings for Data.
func TestCBORJavaStyleRequest(t *testing.T) {
	var b jcbor
	b.startMap().text("StreamName").text("s1")
	b.text("Records").startArray()
	b.startMap().text("Data").bytes([]byte{0, 1, 2}).text("PartitionKey").chunkedText("par", "tition").end()
	b.startMap().text("PartitionKey").text("k2").text("Data").raw(0x5f, 0x41, 9, 0x42, 8, 7, 0xff).text("ExplicitHashKey").text("42").end()
	b.end().end()
	var in PutRecordsInput
	if err := in.DecodeAWS(awsproto.CBOR, b.Bytes()); err != nil {
		t.Fatal(err)
	}
	if *in.StreamName != "s1" || len(in.Records) != 2 ||
		!bytes.Equal(in.Records[0].Data, []byte{0, 1, 2}) || in.Records[0].PartitionKey != "partition" ||
		!bytes.Equal(in.Records[1].Data, []byte{9, 8, 7}) || *in.Records[1].ExplicitHashKey != "42" {
		t.Fatalf("decoded %+v", in)
	}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
}

// Timestamps: the Java SDK sends tag 1 + integer epoch milliseconds; accept
// untagged integers and floats (milliseconds too), and half/single floats.
func TestCBORTimestamps(t *testing.T) {
	ms := int64(1441215410867)
	want := time.UnixMilli(ms)
	f64 := binary.BigEndian.AppendUint64([]byte{0xfb}, math.Float64bits(float64(ms)+0.5))
	for name, enc := range map[string][]byte{
		"tag 1 + uint":   append([]byte{0xc1, 0x1b}, binary.BigEndian.AppendUint64(nil, uint64(ms))...),
		"uint":           append([]byte{0x1b}, binary.BigEndian.AppendUint64(nil, uint64(ms))...),
		"tag 1 + double": append([]byte{0xc1}, f64...),
	} {
		var b jcbor
		b.startMap().text("Timestamp").raw(enc...).end()
		var in GetShardIteratorInput
		if err := in.DecodeAWS(awsproto.CBOR, b.Bytes()); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := in.Timestamp.Sub(want); d < 0 || d >= time.Millisecond {
			t.Errorf("%s: got %v, want %v", name, in.Timestamp, want)
		}
	}
	// Written as tag 1 + integer milliseconds.
	out := (&Record{ApproximateArrivalTimestamp: &want}).AppendAWS(awsproto.CBOR, nil)
	wantEnc := append([]byte("\x78\x1bApproximateArrivalTimestamp\xc1\x1b"), binary.BigEndian.AppendUint64(nil, uint64(ms))...)
	if !bytes.Contains(out, wantEnc) {
		t.Errorf("timestamp encoded as %x", out)
	}
}

// Our CBOR output as a generic CBOR library (fxamacker/cbor) reads it, and
// a generic library's encoding of a request as we read it.
func TestCBORInterop(t *testing.T) {
	at := time.UnixMilli(1441215410867).UTC()
	out := GetRecordsOutput{
		Records: []Record{{SequenceNumber: "4959", ApproximateArrivalTimestamp: &at, Data: []byte("hello"),
			PartitionKey: "pk", EncryptionType: ptr(EncryptionTypeNone)}},
		NextShardIterator:  ptr("it"),
		MillisBehindLatest: ptr(int64(-1)),
	}
	diag, err := cbor.Diagnose(out.AppendAWS(awsproto.CBOR, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Records": [{"SequenceNumber": "4959", "ApproximateArrivalTimestamp": 1(1441215410867), "Data": h'68656c6c6f', ` +
		`"PartitionKey": "pk", "EncryptionType": "NONE"}], "NextShardIterator": "it", "MillisBehindLatest": -1}`
	if diag != want {
		t.Errorf("got  %s\nwant %s", diag, want)
	}

	req := map[string]any{
		"StreamName": "s",
		"Records":    []any{map[string]any{"Data": []byte{1, 2}, "PartitionKey": "p", "Unknown": []any{1.5, nil, true}}},
	}
	body, err := cbor.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var in PutRecordsInput
	if err := in.DecodeAWS(awsproto.CBOR, body); err != nil {
		t.Fatal(err)
	}
	if *in.StreamName != "s" || len(in.Records) != 1 || in.Records[0].PartitionKey != "p" || !bytes.Equal(in.Records[0].Data, []byte{1, 2}) {
		t.Errorf("decoded %+v", in)
	}
}

// Numbers: any width, floats truncated, big numbers clamped; blobs as base64
// text too; strings where numbers are expected are AWS's type error.
func TestCBORConversions(t *testing.T) {
	decode := func(member string, value ...byte) (*GetRecordsInput, error) {
		var b jcbor
		b.startMap().text(member).raw(value...).end()
		var in GetRecordsInput
		return &in, in.DecodeAWS(awsproto.CBOR, b.Bytes())
	}
	for _, c := range []struct {
		enc  []byte
		want int32
	}{
		{[]byte{0x05}, 5}, {[]byte{0x19, 0x27, 0x10}, 10000}, {[]byte{0x20}, -1},
		{[]byte{0xf9, 0x3e, 0x00}, 1}, // half float 1.5
		{[]byte{0xfa, 0x40, 0x20, 0x00, 0x00}, 2},
		{[]byte{0x1b, 0xff, 0, 0, 0, 0, 0, 0, 0}, math.MaxInt32},
		{[]byte{0xc2, 0x49, 1, 0, 0, 0, 0, 0, 0, 0, 0}, math.MaxInt32}, // bignum 2^64
		{[]byte{0xc3, 0x41, 1}, -2},
	} {
		in, err := decode("Limit", c.enc...)
		if err != nil || in.Limit == nil || *in.Limit != c.want {
			t.Errorf("%x: %v %v, want %d", c.enc, err, in.Limit, c.want)
		}
	}
	var b jcbor
	b.startMap().text("Data").text("AAEC").text("PartitionKey").text("k").end()
	var pr PutRecordInput
	if err := pr.DecodeAWS(awsproto.CBOR, b.Bytes()); err != nil || !bytes.Equal(pr.Data, []byte{0, 1, 2}) {
		t.Errorf("base64 text blob: %v %v", err, pr.Data)
	}
	if got := serializationMessage(t, awsproto.CBOR, "GetRecords", append([]byte("\xa1\x65Limit"), "\x62\x32\x33"...)); got != "class java.lang.String can not be converted to an Integer" {
		t.Errorf("string for integer: %q", got)
	}
	if got := serializationMessage(t, awsproto.CBOR, "GetShardIterator", []byte("\xa1\x69Timestamp\xc0\x61x")); got != "class java.lang.String can not be converted to milliseconds since epoch" {
		t.Errorf("date string: %q", got)
	}
	// null and undefined are absent.
	if in, err := decode("Limit", 0xf6); err != nil || in.Limit != nil {
		t.Errorf("null: %v %v", err, in.Limit)
	}
	if in, err := decode("Limit", 0xf7); err != nil || in.Limit != nil {
		t.Errorf("undefined: %v %v", err, in.Limit)
	}
}

// Malformed CBOR, and lengths that exceed the input, are rejected without
// allocating for them.
func TestCBORMalformed(t *testing.T) {
	for _, body := range [][]byte{
		{}, {0x01}, {0x80}, {0xa1}, {0xa1, 0x61}, {0xa1, 0x01, 0x01}, // not a map; truncated; non-text key
		{0xbf}, {0xbf, 0x61, 'a'}, {0xff}, {0xa0, 0x00}, // unterminated; trailing data
		{0xa1, 0x61, 'x', 0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},   // byte string of 2^63 bytes
		{0xa1, 0x61, 'x', 0x9b, 0, 0, 0, 1, 0, 0, 0, 0},                           // array of 2^32 items
		{0xa1, 0x61, 'x', 0xbb, 0, 0, 0, 1, 0, 0, 0, 0},                           // map of 2^32 entries
		{0xa1, 0x67, 'R', 'e', 'c', 'o', 'r', 'd', 's', 0x9a, 0, 1, 0, 0},         // known list of 65536
		{0xa1, 0x61, 'x', 0x1c}, {0xa1, 0x61, 'x', 0x3f}, {0xa1, 0x61, 'x', 0xdf}, // reserved / bad indefinite
		{0xa1, 0x61, 'x', 0x62, 0xff, 0xfe},      // invalid UTF-8
		{0xa1, 0x61, 'x', 0x7f, 0x41, 'a', 0xff}, // byte chunk in text
		{0xa1, 0x61, 'x', 0xf8},                  // truncated simple value
	} {
		in := NewService(nil).Operations["PutRecords"].NewInput()
		err := in.DecodeAWS(awsproto.CBOR, body)
		if err == nil {
			t.Errorf("%x: decoded", body)
		}
	}
	deep := bytes.Repeat([]byte{0x81}, 5000)
	in := NewService(nil).Operations["DescribeStream"].NewInput()
	if err := in.DecodeAWS(awsproto.CBOR, append([]byte{0xa1, 0x61, 'x'}, append(deep, 0)...)); err == nil {
		t.Error("deep nesting decoded")
	}
}
