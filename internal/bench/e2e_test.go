package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/awsproto/eventstream"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/testenv"
)

func runOK(t *testing.T, cfg Config) *Report {
	t.Helper()
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("%s run: %v", cfg.Mode, err)
	}
	return rep
}

// A mixed run against the real server: every acknowledged record is read
// back exactly once; then a put run saves its acknowledgements and a verify
// run checks the whole stream against both runs.
func TestEndToEnd(t *testing.T) {
	e := testenv.Start(t, testenv.Options{})
	base := Config{Endpoint: e.URL, Stream: "bench-e2e", Shards: 3, Producers: 2, Drain: 20 * time.Second}

	mixed := base
	mixed.Mode, mixed.Batch, mixed.Records, mixed.Keys, mixed.Verify = ModeMixed, 50, 3000, KeyDist{Kind: "fixed", K: 7}, true
	rep := runOK(t, mixed)
	if v := rep.Verify; v == nil || !v.OK || v.Acknowledged != 3000 || v.ExactlyOnce != 3000 {
		t.Fatalf("mixed verification: %+v", rep.Verify)
	}
	if rep.Put.Records != 3000 || rep.Read.Records != 3000 || rep.Read.EndToEnd.Count != 3000 || rep.Put.Latency.Count == 0 {
		t.Fatalf("mixed report: put %+v read %+v", rep.Put, rep.Read)
	}

	ackLog := filepath.Join(t.TempDir(), "acks")
	put := base
	put.Mode, put.Batch, put.Records, put.RecordSize, put.AckLog = ModePut, 0, 400, 300, ackLog
	rep = runOK(t, put)
	if rep.Put.Records != 400 || rep.Put.Requests != 400 {
		t.Fatalf("single PutRecord run: %+v", rep.Put)
	}

	// The mixed run's records are foreign to the verify run (no ack log).
	ver := base
	ver.Mode, ver.AckLogs = ModeVerify, []string{ackLog}
	rep = runOK(t, ver)
	if v := rep.Verify; !v.OK || v.Acknowledged != 400 || v.ExactlyOnce != 400 || v.Foreign != 3000 {
		t.Fatalf("verify: %+v", v)
	}

	// get reads everything to the end.
	get := base
	get.Mode = ModeGet
	rep = runOK(t, get)
	if rep.Read.Records != 3400 || !rep.Verify.OK {
		t.Fatalf("get: %+v %+v", rep.Read, rep.Verify)
	}

	// A record that vanishes is reported by verify.
	tables, err := ReadAckLog(ackLog)
	if err != nil {
		t.Fatal(err)
	}
	tables[0].Seq[0] ^= 1 // as if acknowledged with another sequence number
	if err := WriteAckLog(ackLog, tables); err != nil {
		t.Fatal(err)
	}
	rep, err = Run(context.Background(), ver)
	if err != nil || rep.Verify.OK || rep.Verify.Counts[KindMisplaced] != 1 {
		t.Fatalf("damaged ack log: %v %+v", err, rep.Verify)
	}
}

// fakeKinesis answers the calls a run makes with fixed bodies, like the
// bench/sink ceiling server, and serves SubscribeToShard from records it
// makes itself.
type fakeKinesis struct {
	t       *testing.T
	mu      sync.Mutex
	subs    []kinesisapi.SubscribeToShardInput
	records []kinesisapi.Record
}

func (f *fakeKinesis) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") {
		f.t.Errorf("Authorization %q", r.Header.Get("Authorization"))
	}
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Kinesis_20131202.")
	w.Header().Set("Content-Type", awsproto.ContentTypeJSON)
	switch op {
	case "DescribeStreamSummary":
		fmt.Fprint(w, `{"StreamDescriptionSummary":{"StreamName":"s","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","StreamStatus":"ACTIVE","RetentionPeriodHours":24,"StreamCreationTimestamp":1,"EnhancedMonitoring":[],"OpenShardCount":1}}`)
	case "ListShards":
		fmt.Fprint(w, `{"Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"},"SequenceNumberRange":{"StartingSequenceNumber":"1"}}]}`)
	case "PutRecords":
		// A fixed response: the same sequence number for every entry.
		n := strings.Count(string(body), `"PartitionKey"`)
		fmt.Fprint(w, `{"FailedRecordCount":0,"Records":[`+strings.TrimSuffix(strings.Repeat(`{"SequenceNumber":"1","ShardId":"shardId-000000000000"},`, n), ",")+`]}`)
	case "RegisterStreamConsumer":
		fmt.Fprint(w, `{"Consumer":{"ConsumerName":"c","ConsumerARN":"arn:c","ConsumerStatus":"CREATING","ConsumerCreationTimestamp":1}}`)
	case "DescribeStreamConsumer":
		fmt.Fprint(w, `{"ConsumerDescription":{"ConsumerName":"c","ConsumerARN":"arn:c","ConsumerStatus":"ACTIVE","ConsumerCreationTimestamp":1,"StreamARN":"arn:s"}}`)
	case "SubscribeToShard":
		var in kinesisapi.SubscribeToShardInput
		if err := in.DecodeAWS(awsproto.JSON, body); err != nil {
			f.t.Error(err)
		}
		f.mu.Lock()
		f.subs = append(f.subs, in)
		n := len(f.subs)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
		send := func(typ string, p awsproto.Output) {
			var payload []byte
			if p != nil {
				payload = p.AppendAWS(awsproto.JSON, nil)
			}
			msg, err := eventstream.AppendMessage(nil, []eventstream.Header{
				{Name: eventstream.HeaderEventType, Value: eventstream.String(typ)},
				{Name: eventstream.HeaderContentType, Value: eventstream.String("application/json")},
				{Name: eventstream.HeaderMessageType, Value: eventstream.String("event")},
			}, payload)
			if err != nil {
				f.t.Error(err)
			}
			w.Write(msg)
			w.(http.Flusher).Flush()
		}
		send("initial-response", nil)
		if n == 1 {
			// The first subscription delivers three records and ends, as
			// AWS ends subscriptions after five minutes.
			send("SubscribeToShardEvent", &kinesisapi.SubscribeToShardEvent{Records: f.records[:3], ContinuationSequenceNumber: f.records[2].SequenceNumber})
			return
		}
		// The resubscription delivers the rest and the shard's end.
		send("SubscribeToShardEvent", &kinesisapi.SubscribeToShardEvent{Records: f.records[3:], ChildShards: []kinesisapi.ChildShard{{ShardId: "shardId-000000000001", ParentShards: []string{"shardId-000000000000"}, HashKeyRange: &kinesisapi.HashKeyRange{StartingHashKey: "0", EndingHashKey: "1"}}}})
	default:
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"__type":"UnknownOperationException","message":"%s"}`, op)
	}
}

// eddy bench tolerates a server that answers a fixed valid PutRecords
// response (the bench/sink ceiling).
func TestPutAgainstFixedResponses(t *testing.T) {
	srv := httptest.NewServer(&fakeKinesis{t: t})
	defer srv.Close()
	rep := runOK(t, Config{Mode: ModePut, Endpoint: srv.URL, Stream: "s", Batch: 100, Records: 1000, Producers: 3})
	if rep.Put.Records != 1000 || len(rep.Errors) != 0 {
		t.Fatalf("%+v %v", rep.Put, rep.Errors)
	}
}

// The fan-out consumer follows AWS's SubscribeToShard: it skips the
// initial-response, resubscribes with AFTER_SEQUENCE_NUMBER from the last
// ContinuationSequenceNumber, and stops at the shard's end.
func TestEFOConsumer(t *testing.T) {
	f := &fakeKinesis{t: t}
	m := newRecordMaker(77, 0, 60)
	for i := range 5 {
		f.records = append(f.records, kinesisapi.Record{SequenceNumber: fmt.Sprint(100 + i), PartitionKey: "k", Data: m.data(KeyHash("k"), uint64(i), time.Now().UnixNano())})
	}
	srv := httptest.NewServer(f)
	defer srv.Close()
	rep := runOK(t, Config{Mode: ModeEFO, Endpoint: srv.URL, Stream: "s", From: "trim_horizon", Duration: 10 * time.Second})
	if rep.Read.Records != 5 || !rep.Verify.OK || rep.Read.Requests != 2 {
		b, _ := json.Marshal(rep)
		t.Fatalf("%s", b)
	}
	if len(f.subs) != 2 || f.subs[0].StartingPosition.Type != "TRIM_HORIZON" || f.subs[1].StartingPosition.Type != "AFTER_SEQUENCE_NUMBER" ||
		*f.subs[1].StartingPosition.SequenceNumber != "102" || f.subs[1].ConsumerARN != "arn:c" || f.subs[1].ShardId != "shardId-000000000000" {
		t.Fatalf("subscriptions %+v", f.subs)
	}
}
