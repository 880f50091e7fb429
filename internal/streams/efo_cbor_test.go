package streams_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/awsproto/eventstream"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/testenv"
)

// TestFanOutCBOR: the Java SDK (and so the KCL) speaks CBOR. A subscription
// requested in CBOR over h2c gets CBOR events: records with their bytes and
// millisecond timestamps, and a shard-end event that carries ChildShards and
// no ContinuationSequenceNumber.
func TestFanOutCBOR(t *testing.T) {
	e := testenv.Start(t, testenv.Options{})
	createActive(t, e, "cbor", 1)
	k := e.Kinesis
	arn := registerActive(t, k, "cbor", "java")
	seqs := putRecords(t, k, "cbor", "one", "two")
	if _, err := k.SplitShard(context.Background(), &kinesis.SplitShardInput{StreamName: aws.String("cbor"), ShardToSplit: aws.String("0"),
		NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, e, "cbor")

	in := &kinesisapi.SubscribeToShardInput{ConsumerARN: arn, ShardId: "shardId-000000000000",
		StartingPosition: &kinesisapi.StartingPosition{Type: kinesisapi.ShardIteratorTypeTrimHorizon}}
	req, _ := http.NewRequest("POST", e.URL+"/", bytes.NewReader(in.AppendAWS(awsproto.CBOR, nil)))
	req.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.SubscribeToShard")
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || res.ProtoMajor != 2 || res.Header.Get("Content-Type") != "application/vnd.amazon.eventstream" {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("%s %d %s: %s", res.Proto, res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	dec := eventstream.NewDecoder(res.Body)
	var events []kinesisapi.SubscribeToShardEvent
	for {
		m, err := dec.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := m.GetString(":message-type"); got != "event" {
			t.Fatalf("%s message: %s", got, m.Payload)
		}
		if m.GetString(":event-type") == "initial-response" {
			continue
		}
		if ct := m.GetString(":content-type"); ct != "application/x-amz-cbor-1.1" {
			t.Errorf("event content type %q", ct)
		}
		var ev kinesisapi.SubscribeToShardEvent
		if err := ev.DecodeAWS(awsproto.CBOR, m.Payload); err != nil {
			t.Fatalf("event: %v", err)
		}
		events = append(events, ev)
	}
	if len(events) != 2 {
		t.Fatalf("%d events: %+v", len(events), events)
	}
	recs := events[0].Records
	if len(recs) != 2 || string(recs[0].Data) != "one" || recs[1].SequenceNumber != seqs[1] || events[0].ContinuationSequenceNumber != seqs[1] ||
		recs[0].ApproximateArrivalTimestamp == nil || time.Since(*recs[0].ApproximateArrivalTimestamp) > time.Minute {
		t.Errorf("records event: %+v", events[0])
	}
	end := events[1]
	if end.ContinuationSequenceNumber != "" || len(end.Records) != 0 || len(end.ChildShards) != 2 {
		t.Errorf("shard-end event: %+v", end)
	}
}
