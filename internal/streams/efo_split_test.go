package streams

import (
	"bytes"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/awsproto/eventstream"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/logstore"
)

// TestEventSplit: reads are cut into events whose encoding stays under the
// event-stream payload cap in both encodings, whatever the records look
// like: many small records share an event, large ones or ones with keys
// that JSON must escape spread over several, and a record of the largest
// size travels alone.
func TestEventSplit(t *testing.T) {
	key := func(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }
	cases := []struct {
		name    string
		recs    []logstore.Record
		minEvts int
	}{
		{"small", repeat(logstore.Record{PartitionKey: key('k', 10), Data: key('d', 100)}, 10000), 1},
		{"escaped keys", repeat(logstore.Record{PartitionKey: key(1, 256), Data: key('d', 10)}, 10000), 2},
		{"large", repeat(logstore.Record{PartitionKey: key('k', 1), Data: key('d', 3<<20)}, 4), 4},
		{"largest", []logstore.Record{{PartitionKey: key(1, 256), Data: key('d', 10<<20-256)}, {PartitionKey: key('k', 1), Data: key('d', 1)}}, 2},
	}
	seq := SeqNum{Epoch: 1, Tag: 1}.Base()
	for _, tc := range cases {
		events := 0
		for start := 0; start < len(tc.recs); {
			end, _ := eventEnd(tc.recs, start)
			if end <= start {
				t.Fatalf("%s: empty event at %d", tc.name, start)
			}
			ev := &kinesisapi.SubscribeToShardEvent{ContinuationSequenceNumber: string(seq.Append(nil, 1)), MillisBehindLatest: 1 << 40}
			ts := time.UnixMilli(1 << 42)
			for i := start; i < end; i++ {
				r := &tc.recs[i]
				et := kinesisapi.EncryptionTypeKms
				ev.Records = append(ev.Records, kinesisapi.Record{SequenceNumber: string(seq.Append(nil, uint64(i))), ApproximateArrivalTimestamp: &ts,
					Data: r.Data, PartitionKey: string(r.PartitionKey), EncryptionType: &et})
			}
			for _, enc := range []awsproto.Encoding{awsproto.JSON, awsproto.CBOR} {
				n := len(ev.AppendAWS(enc, nil))
				if n > eventstream.MaxPayloadLen || end-start > 1 && n > eventBudget {
					t.Fatalf("%s: event of %d records encodes to %d bytes", tc.name, end-start, n)
				}
			}
			events++
			start = end
		}
		if events < tc.minEvts {
			t.Errorf("%s: %d events, want at least %d", tc.name, events, tc.minEvts)
		}
	}
}

func repeat(r logstore.Record, n int) []logstore.Record {
	out := make([]logstore.Record, n)
	for i := range out {
		out[i] = r
	}
	return out
}
