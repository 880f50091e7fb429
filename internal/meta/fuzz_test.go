package meta

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/hashkey"
)

// The fuzz targets check that decoders never panic or over-allocate on any
// input, and that whatever they accept re-encodes to a value that decodes
// to the same thing. Seed corpora live in testdata/fuzz/<target>.

func FuzzDecodeStream(f *testing.F) {
	f.Add(encodeStream(fullStream("orders")))
	f.Add(encodeStream(&Stream{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeStream(b)
		if err != nil {
			return
		}
		again, err := decodeStream(encodeStream(s))
		if err != nil {
			t.Fatalf("re-encoded stream does not decode: %v", err)
		}
		if !reflect.DeepEqual(s, again) {
			t.Fatalf("stream round trip:\n%+v\n%+v", s, again)
		}
	})
}

func FuzzDecodeShard(f *testing.F) {
	f.Add(encodeShard(&Shard{}))
	f.Add(encodeShard(&Shard{LogID: 3, EndingHashKey: hashkey.Max, HasParent: true, ParentIndex: 1,
		Created: t0, Closed: true, ClosedAt: t0.Add(time.Second), EndingRecord: 10}))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Shard
		if decodeShard(b, &s) != nil {
			return
		}
		// The shard layout is fixed, so an accepted value re-encodes to
		// exactly the same bytes.
		if out := encodeShard(&s); !bytes.Equal(out, b) {
			t.Fatalf("shard re-encodes differently:\n%x\n%x", b, out)
		}
	})
}

func FuzzDecodeConsumer(f *testing.F) {
	f.Add(encodeConsumer(&Consumer{ARN: "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1", Status: "ACTIVE",
		Created: t0, Tags: map[string]string{"a": "1", "b": "2"}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeConsumer(b)
		if err != nil {
			return
		}
		again, err := decodeConsumer(encodeConsumer(c))
		if err != nil || !reflect.DeepEqual(c, again) {
			t.Fatalf("consumer round trip: %v\n%+v\n%+v", err, c, again)
		}
	})
}

func FuzzDecodeSettings(f *testing.F) {
	f.Add(encodeSettings(&AccountSettings{MinimumThroughputBillingCommitment: BillingCommitment{Status: "ENABLED", StartedAt: t0}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := decodeSettings(b)
		if err != nil {
			return
		}
		again, err := decodeSettings(encodeSettings(a))
		if err != nil || !reflect.DeepEqual(a, again) {
			t.Fatalf("settings round trip: %v\n%+v\n%+v", err, a, again)
		}
	})
}

func FuzzDecodeRef(f *testing.F) {
	f.Add(encodeRef(Ref{Namespace: testNS, Stream: "orders", Consumer: "app"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRef(b)
		if err != nil {
			return
		}
		again, err := decodeRef(encodeRef(r))
		if err != nil || again != r {
			t.Fatalf("ref round trip: %v\n%+v\n%+v", err, r, again)
		}
	})
}
