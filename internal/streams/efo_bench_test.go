package streams_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/node"
	"github.com/eddy-streams/eddy/internal/testenv"
)

// BenchmarkFanOut measures enhanced fan-out end to end: a real node (fsynced
// log, HTTP server) with N subscribers on one shard, each an aws-sdk-go-v2
// SubscribeToShard over h2c with its own client and connection.
//
//   - batch=1: one PutRecord at a time; the next is written once every
//     subscriber has the previous one. p50-us and p99-us are the
//     append-to-delivery latency over all deliveries: from just before the
//     PutRecord call (so including the producer's request and the group
//     commit's fsync) to the subscriber's SDK handing over the decoded event;
//     put-p50-us is the PutRecord round trip alone, for comparison.
//   - batch=500: PutRecords of 500 records back to back, as fast as one
//     producer goes; deliveries/s counts records received by all
//     subscribers together, MB/s the bytes they received.
//
// Records are 100 bytes. Example: go test -run '^$' -bench FanOut -benchtime 2000x ./internal/streams
func BenchmarkFanOut(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			f := newFanOutBench(b, n)
			for _, batch := range []int{1, 500} {
				b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) { f.run(b, batch) })
			}
		})
	}
}

const benchRecordSize = 100

type fanOutBench struct {
	e         *testenv.Env
	producer  *kinesis.Client
	subs      []*benchSub
	delivered atomic.Int64
	wake      chan struct{}
}

// benchSub is one subscriber; lat is written by its reader goroutine only
// and read after the deliveries counter shows it is complete.
type benchSub struct {
	lat []time.Duration
}

func newFanOutBench(b *testing.B, n int) *fanOutBench {
	e := testenv.Start(b, testenv.Options{Configure: func(c *node.Config) { c.Streams.ConsumerLimit = n }})
	if _, err := e.Kinesis.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String("bench"), ShardCount: aws.Int32(1)}); err != nil {
		b.Fatal(err)
	}
	for {
		out, err := e.Kinesis.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("bench")})
		if err != nil {
			b.Fatal(err)
		}
		if out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			break
		}
		time.Sleep(time.Millisecond)
	}
	f := &fanOutBench{e: e, producer: e.Kinesis, wake: make(chan struct{}, 1)}
	for i := range n {
		arn := registerActive(b, e.Kinesis, "bench", fmt.Sprintf("c%03d", i))
		s := &benchSub{}
		f.subs = append(f.subs, s)
		f.read(b, s, fresh(b, e), arn)
	}
	return f
}

// read runs one subscriber.
func (f *fanOutBench) read(b *testing.B, s *benchSub, c *kinesis.Client, arn string) {
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	out, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String("0"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	if err != nil {
		b.Fatal(err)
	}
	go func() {
		stream := out.GetStream()
		defer stream.Close()
		for ev := range stream.Events() {
			v, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !ok || len(v.Value.Records) == 0 {
				continue
			}
			now := time.Now()
			for _, r := range v.Value.Records {
				s.lat = append(s.lat, now.Sub(time.Unix(0, int64(binary.BigEndian.Uint64(r.Data)))))
			}
			f.delivered.Add(int64(len(v.Value.Records)))
			select {
			case f.wake <- struct{}{}:
			default:
			}
		}
	}()
}

// waitDelivered waits until the subscribers hold want records in all.
func (f *fanOutBench) waitDelivered(b *testing.B, want int64) {
	timeout := time.After(time.Minute)
	for f.delivered.Load() < want {
		select {
		case <-f.wake:
		case <-timeout:
			b.Fatalf("delivered %d of %d records", f.delivered.Load(), want)
		}
	}
}

func (f *fanOutBench) run(b *testing.B, batch int) {
	ctx := context.Background()
	n := int64(len(f.subs))
	for _, s := range f.subs {
		s.lat = s.lat[:0]
	}
	f.delivered.Store(0)
	entries := make([]types.PutRecordsRequestEntry, batch)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{Data: make([]byte, benchRecordSize), PartitionKey: aws.String("pk")}
	}
	b.SetBytes(benchRecordSize * n)
	b.ReportAllocs()
	written := int64(0)
	var puts []time.Duration
	start := time.Now()
	for b.Loop() {
		if batch == 1 {
			data := make([]byte, benchRecordSize)
			sent := time.Now()
			binary.BigEndian.PutUint64(data, uint64(sent.UnixNano()))
			if _, err := f.producer.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("bench"), Data: data, PartitionKey: aws.String("pk")}); err != nil {
				b.Fatal(err)
			}
			puts = append(puts, time.Since(sent))
			written++
			f.waitDelivered(b, written*n)
			continue
		}
		// One record per iteration, written a batch at a time.
		if written%int64(batch) == 0 {
			stamp := uint64(time.Now().UnixNano())
			for i := range entries {
				binary.BigEndian.PutUint64(entries[i].Data, stamp)
			}
			out, err := f.producer.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("bench"), Records: entries})
			if err != nil || *out.FailedRecordCount != 0 {
				b.Fatalf("PutRecords: %v", err)
			}
		}
		written++
	}
	// The last batch may be partly beyond b.N: wait for all of it.
	if batch > 1 {
		written = (written + int64(batch) - 1) / int64(batch) * int64(batch)
	}
	f.waitDelivered(b, written*n)
	elapsed := time.Since(start)
	b.ReportMetric(float64(written*n)/elapsed.Seconds(), "deliveries/s")
	if batch == 1 {
		var all []time.Duration
		for _, s := range f.subs {
			all = append(all, s.lat...)
		}
		slices.Sort(all)
		if len(all) > 0 {
			b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-us")
			b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-us")
			// The producer's own PutRecord round trip, for comparison:
			// delivery needs little beyond it.
			slices.Sort(puts)
			b.ReportMetric(float64(puts[len(puts)/2].Microseconds()), "put-p50-us")
		}
	}
}
