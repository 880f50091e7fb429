package streams_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/eddy-streams/eddy/internal/testenv"
)

// TestFanOutPush: over h2c, TLS (h2) and HTTP/1.1, records are pushed in
// order, each as soon as it is acknowledged (the test writes the next record
// only after the previous one arrived, so delivery cannot wait for a batch
// or a timer), with ContinuationSequenceNumber at the last record.
func TestFanOutPush(t *testing.T) {
	e := testenv.Start(t, testenv.Options{})
	createActive(t, e, "push", 1)
	for _, tr := range efoTransports {
		t.Run(tr.name, func(t *testing.T) {
			c, pc := efoClient(t, e, tr)
			arn := registerActive(t, c, "push", "c-"+tr.name)
			s := subscribeTo(t, c, arn, "shardId-000000000000", &types.StartingPosition{Type: types.ShardIteratorTypeLatest})
			if got := pc.major.Load(); int(got) != tr.major {
				t.Fatalf("SubscribeToShard answered over HTTP/%d, want HTTP/%d", got, tr.major)
			}
			for i := range 5 {
				data := fmt.Sprintf("%s-%d", tr.name, i)
				seq := putRecords(t, e.Kinesis, "push", data)[0]
				ev := s.next()
				if len(ev.Records) != 1 || string(ev.Records[0].Data) != data || *ev.Records[0].SequenceNumber != seq || *ev.Records[0].PartitionKey != "pk" {
					t.Fatalf("record %d: got %+v", i, ev.Records)
				}
				if *ev.ContinuationSequenceNumber != seq || *ev.MillisBehindLatest != 0 || ev.ChildShards != nil {
					t.Fatalf("record %d: continuation %s behind %d children %v", i, *ev.ContinuationSequenceNumber, *ev.MillisBehindLatest, ev.ChildShards)
				}
				if ev.Records[0].ApproximateArrivalTimestamp == nil || ev.Records[0].EncryptionType != "" {
					t.Fatalf("record %d: %+v", i, ev.Records[0])
				}
			}
			// A batch arrives whole and in order.
			var want []string
			for i := range 300 {
				want = append(want, fmt.Sprintf("batch-%03d", i))
			}
			seqs := putRecords(t, e.Kinesis, "push", want...)
			recs, evs := s.records(len(want))
			for i, r := range recs {
				if string(r.Data) != want[i] || *r.SequenceNumber != seqs[i] {
					t.Fatalf("batch record %d: %s %s", i, r.Data, *r.SequenceNumber)
				}
			}
			if last := evs[len(evs)-1]; *last.ContinuationSequenceNumber != seqs[len(seqs)-1] {
				t.Errorf("continuation %s, want %s", *last.ContinuationSequenceNumber, seqs[len(seqs)-1])
			}
		})
	}
}

// TestFanOutStartingPositions: TRIM_HORIZON, AT_SEQUENCE_NUMBER,
// AFTER_SEQUENCE_NUMBER (resuming from a continuation number) and
// AT_TIMESTAMP start where GetShardIterator would.
func TestFanOutStartingPositions(t *testing.T) {
	e := testenv.Start(t, testenv.Options{})
	createActive(t, e, "pos", 1)
	c := e.Kinesis
	arn := registerActive(t, c, "pos", "reader")
	seqs := putRecords(t, c, "pos", "a", "b", "c", "d")
	shard := "shardId-000000000000"

	check := func(name string, pos *types.StartingPosition, want ...string) string {
		t.Helper()
		s := subscribeTo(t, fresh(t, e), arn, shard, pos)
		recs, evs := s.records(len(want))
		var got []string
		for _, r := range recs {
			got = append(got, string(r.Data))
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
		s.close()
		waitReleased(t, e, 0)
		return *evs[len(evs)-1].ContinuationSequenceNumber
	}
	cont := check("TRIM_HORIZON", &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}, "a", "b", "c", "d")
	if cont != seqs[3] {
		t.Errorf("continuation %s, want %s", cont, seqs[3])
	}
	check("AT_SEQUENCE_NUMBER", &types.StartingPosition{Type: types.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String(seqs[1])}, "b", "c", "d")
	check("AFTER_SEQUENCE_NUMBER", &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(seqs[1])}, "c", "d")
	// Resubscribing after the last continuation number gets only what came
	// since.
	putRecords(t, c, "pos", "e")
	check("AFTER continuation", &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(cont)}, "e")
	// The shard's StartingSequenceNumber reads from the first record.
	start := listShards(t, e, "pos")[0].SequenceNumberRange.StartingSequenceNumber
	check("AT StartingSequenceNumber", &types.StartingPosition{Type: types.ShardIteratorTypeAtSequenceNumber, SequenceNumber: start}, "a", "b", "c", "d", "e")
	// AT_TIMESTAMP before the stream existed starts at the trim horizon
	// (AWS-validated; exact timestamps are checked with a fake clock).
	early := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	check("AT_TIMESTAMP", &types.StartingPosition{Type: types.ShardIteratorTypeAtTimestamp, Timestamp: &early}, "a", "b", "c", "d", "e")
}

// TestFanOutErrors: the errors SubscribeToShard answers before its stream
// starts, with AWS's texts.
func TestFanOutErrors(t *testing.T) {
	e := testenv.Start(t, testenv.Options{})
	createActive(t, e, "errs", 2)
	c := e.Kinesis
	arn := registerActive(t, c, "errs", "reader")
	seqs := putRecords(t, c, "errs", "x")
	latest := &types.StartingPosition{Type: types.ShardIteratorTypeLatest}
	other := "shardId-000000000000"
	if strings.HasSuffix(seqShard(t, e, "errs", seqs[0]), "0") {
		other = "shardId-000000000001"
	}
	cases := []struct {
		name, arn, shard string
		pos              *types.StartingPosition
		typ, msg         string
	}{
		{"unknown consumer", arn[:strings.LastIndexByte(arn, ':')] + ":1", "0", latest, "ResourceNotFoundException", "Consumer " + arn[:strings.LastIndexByte(arn, ':')] + ":1 not found."},
		{"unknown stream", strings.Replace(arn, "stream/errs/", "stream/nope/", 1), "0", latest, "ResourceNotFoundException", "not found."},
		{"bad shard id", arn, "shardId-x", latest, "ResourceNotFoundException", "Could not find shard shardId-x in stream errs under account 000000000000."},
		{"unknown shard", arn, "7", latest, "ResourceNotFoundException", "Shard shardId-000000000007 in stream errs under account 000000000000 does not exist"},
		{"no sequence number", arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeAtSequenceNumber}, "InvalidArgumentException",
			"Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber."},
		{"sequence number of another shard", arn, other, &types.StartingPosition{Type: types.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String(seqs[0])}, "InvalidArgumentException",
			"Invalid StartingSequenceNumber. It encodes " + seqShard(t, e, "errs", seqs[0]) + ", while it was used in a call to a shard with " + other},
		{"bad sequence number", arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String("123")}, "InvalidArgumentException",
			"StartingSequenceNumber 123 used in GetShardIterator on shard shardId-000000000000 in stream errs under account 000000000000 is invalid."},
		{"AT_TIMESTAMP without timestamp", arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeAtTimestamp}, "InvalidArgumentException",
			"Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter."},
	}
	for _, tc := range cases {
		_, err := trySubscribe(t, fresh(t, e), tc.arn, tc.shard, tc.pos)
		api, ok := errAs[smithy.APIError](err)
		if !ok || api.ErrorCode() != tc.typ || !strings.HasSuffix(api.ErrorMessage(), tc.msg) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// GetShardIterator gives the same texts (they once came back as
	// InternalFailure).
	_, err := c.GetShardIterator(context.Background(), &kinesis.GetShardIteratorInput{StreamName: aws.String("errs"), ShardId: aws.String("0"),
		ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String("123")})
	if _, ok := errAs[*types.InvalidArgumentException](err); !ok {
		t.Errorf("GetShardIterator with a bad sequence number: %v", err)
	}
}

// seqShard returns the shard id a sequence number belongs to.
func seqShard(t *testing.T, e *testenv.Env, stream, seq string) string {
	t.Helper()
	for _, sh := range listShards(t, e, stream) {
		it, err := e.Kinesis.GetShardIterator(context.Background(), &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: sh.ShardId,
			ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(seq)})
		if err == nil && it.ShardIterator != nil {
			return *sh.ShardId
		}
	}
	t.Fatalf("no shard holds %s", seq)
	return ""
}

// TestFanOutEncrypted: records of an encrypted stream arrive decrypted and
// marked KMS, like GetRecords returns them.
func TestFanOutEncrypted(t *testing.T) {
	e := testenv.Start(t, testenv.Options{})
	createActive(t, e, "sse", 1)
	k := e.Kinesis
	arn := registerActive(t, k, "sse", "reader")
	if _, err := k.StartStreamEncryption(context.Background(), &kinesis.StartStreamEncryptionInput{StreamName: aws.String("sse"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, e, "sse")
	s := subscribeTo(t, fresh(t, e), arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeLatest})
	putRecords(t, k, "sse", "secret")
	if recs, _ := s.records(1); string(recs[0].Data) != "secret" || recs[0].EncryptionType != types.EncryptionTypeKms {
		t.Fatalf("record %+v", recs[0])
	}
}
