package kinesisapi

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime/metrics"
	"slices"
	"testing"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// fuzzInputs are the operations' input shapes, in a fixed order that the
// fuzzers' selector byte indexes.
func fuzzInputs() []string {
	var names []string
	for name := range NewService(nil).Operations {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

var fuzzOps = fuzzInputs()

// heapAllocated is the running total of bytes allocated on the heap.
func heapAllocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// checkDecode decodes body as the input of the operation sel picks and
// checks what the server relies on: no panic, bounded allocation, and that
// anything accepted re-encodes to a body that decodes to the same value.
func checkDecode(t *testing.T, enc awsproto.Encoding, sel byte, body []byte) {
	op := NewService(nil).Operations[fuzzOps[int(sel)%len(fuzzOps)]]
	in := op.NewInput()
	before := heapAllocated()
	err := in.DecodeAWS(enc, body)
	// The slab is the size of the body; lists cost at most a few machine
	// words per input byte (every element takes at least one byte).
	if grew := heapAllocated() - before; grew > uint64(100*len(body))+1<<20 {
		t.Fatalf("%s: %d bytes allocated for a %d-byte body", op.Name, grew, len(body))
	}
	if err != nil {
		if e := awsproto.AsError(err); e.Exception != awsproto.Serialization {
			t.Fatalf("%s: error %v is not a SerializationException", op.Name, err)
		}
		return
	}
	_ = in.Validate()
	out := in.(awsproto.Output)
	first := out.AppendAWS(enc, nil)
	again := op.NewInput()
	if err := again.DecodeAWS(enc, first); err != nil {
		t.Fatalf("%s: re-encoded body %q does not decode: %v", op.Name, first, err)
	}
	if second := again.(awsproto.Output).AppendAWS(enc, nil); !bytes.Equal(first, second) {
		t.Fatalf("%s: encoding is not stable:\n%q\n%q", op.Name, first, second)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add(byte(0), []byte(`{"StreamName":"s","Tags":{"a":"b"}}`))
	f.Fuzz(func(t *testing.T, sel byte, body []byte) { checkDecode(t, awsproto.JSON, sel, body) })
}

func FuzzDecodeCBOR(f *testing.F) {
	f.Add(byte(0), []byte("\xbf\x6aStreamName\x61s\xff"))
	f.Fuzz(func(t *testing.T, sel byte, body []byte) { checkDecode(t, awsproto.CBOR, sel, body) })
}

// TestWriteFuzzCorpus regenerates the committed seed corpora
// (testdata/fuzz/FuzzDecode{JSON,CBOR}) when EDDY_WRITE_FUZZ_CORPUS=1: a
// randomly filled value of every input shape in each encoding, plus
// hand-written edge cases.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("EDDY_WRITE_FUZZ_CORPUS") != "1" {
		t.Skip("set EDDY_WRITE_FUZZ_CORPUS=1 to rewrite the fuzz seed corpora")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	svc := NewService(nil)
	extra := map[awsproto.Encoding][][]byte{
		awsproto.JSON: {[]byte(`{"Records":[{"Data":"AA==","PartitionKey":"k\u00e9\ud83d\ude00"}],"x":[1,-2.5e3,true,null,{}]}`),
			[]byte(`{"StreamName":"s\"\\","Limit":1e400}`), []byte(`{"Timestamp":1441215410.867}`)},
		awsproto.CBOR: {javaPutRecordsBody(3, 5), []byte("\xa1\x69Timestamp\xc1\x1b\x00\x00\x01\x4f\x8f\x2c\x5b\xb3"),
			[]byte("\xa1\x65Limit\xc2\x49\x01\x00\x00\x00\x00\x00\x00\x00\x00")},
	}
	for _, enc := range []awsproto.Encoding{awsproto.JSON, awsproto.CBOR} {
		dir := filepath.Join("testdata", "fuzz", map[awsproto.Encoding]string{awsproto.JSON: "FuzzDecodeJSON", awsproto.CBOR: "FuzzDecodeCBOR"}[enc])
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, name := range fuzzOps {
			in := svc.Operations[name].NewInput()
			fill(reflect.ValueOf(in).Elem(), rng, 0)
			body := in.(awsproto.Output).AppendAWS(enc, nil)
			writeSeed(t, dir, fmt.Sprintf("%02d-%s", i, name), byte(i), body)
		}
		for i, body := range extra[enc] {
			writeSeed(t, dir, fmt.Sprintf("extra-%d", i), byte(slices.Index(fuzzOps, "PutRecords")+i), body)
		}
	}
}

func writeSeed(t *testing.T, dir, name string, sel byte, body []byte) {
	content := fmt.Sprintf("go test fuzz v1\nbyte(%q)\n[]byte(%q)\n", sel, body)
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
