package streams_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/streams"
	"github.com/eddy-streams/eddy/internal/testenv"
)

// The enhanced fan-out tests drive the real server with aws-sdk-go-v2 over
// each transport SubscribeToShard is used with.

// efoTransport is how a test client reaches the server.
type efoTransport struct {
	name  string
	major int // HTTP major version the requests must arrive with
}

var efoTransports = []efoTransport{{"h2c", 2}, {"tls-h2", 2}, {"http1", 1}}

// protoCheck records the protocol of every response.
type protoCheck struct {
	rt    http.RoundTripper
	major atomic.Int32
}

func (p *protoCheck) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := p.rt.RoundTrip(r)
	if err == nil {
		p.major.Store(int32(res.ProtoMajor))
	}
	return res, err
}

// hideWriterTo works around a client race over HTTP/1.1: smithy-go closes
// the request body as soon as the response headers arrive, and its closed
// body's WriteTo then returns io.EOF to net/http, which is still checking
// the body for extra bytes after sending it; net/http takes that for a
// write error and closes the connection, cutting the event stream that is
// arriving on it ("use of closed network connection"). eddy answers fast
// enough to lose that race now and then. Hiding WriteTo makes net/http read
// the body with Read, which returns io.EOF as a plain end of data.
type hideWriterTo struct{ rt http.RoundTripper }

func (h hideWriterTo) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return h.rt.RoundTrip(r)
}

// efoClient returns a client of e speaking tr, and the recorder of the
// protocol its responses came over.
func efoClient(t testing.TB, e *testenv.Env, tr efoTransport) (*kinesis.Client, *protoCheck) {
	t.Helper()
	base := &http.Transport{Protocols: new(http.Protocols), TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	url := e.URL
	switch tr.name {
	case "h2c":
		base.Protocols.SetUnencryptedHTTP2(true)
	case "tls-h2":
		base.Protocols.SetHTTP2(true)
		url = e.TLSURL
	default:
		base.Protocols.SetHTTP1(true)
	}
	t.Cleanup(base.CloseIdleConnections)
	pc := &protoCheck{rt: base}
	if tr.major == 1 {
		pc.rt = hideWriterTo{base}
	}
	c := e.Client(func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String(url)
		o.HTTPClient = &http.Client{Transport: pc}
	})
	return c, pc
}

// streamARN returns a stream's ARN.
func streamARN(t testing.TB, c *kinesis.Client, name string) string {
	t.Helper()
	out, err := c.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.StreamDescriptionSummary.StreamARN
}

// register registers a consumer and returns its ARN.
func register(t testing.TB, c *kinesis.Client, stream, consumer string) string {
	t.Helper()
	out, err := c.RegisterStreamConsumer(context.Background(), &kinesis.RegisterStreamConsumerInput{
		StreamARN: aws.String(streamARN(t, c, stream)), ConsumerName: aws.String(consumer),
	})
	if err != nil {
		t.Fatal(err)
	}
	return *out.Consumer.ConsumerARN
}

// waitConsumer polls until the consumer has status want (real clock: the
// test env's delays are 1 ms).
func waitConsumer(t testing.TB, c *kinesis.Client, arn string, want types.ConsumerStatus) {
	t.Helper()
	for i := 0; ; i++ {
		out, err := c.DescribeStreamConsumer(context.Background(), &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if out.ConsumerDescription.ConsumerStatus == want {
			return
		}
		if i > 2000 {
			t.Fatalf("consumer %s stuck in %s", arn, out.ConsumerDescription.ConsumerStatus)
		}
		time.Sleep(time.Millisecond)
	}
}

// registerActive registers a consumer and waits until it is ACTIVE.
func registerActive(t testing.TB, c *kinesis.Client, stream, consumer string) string {
	t.Helper()
	arn := register(t, c, stream, consumer)
	waitConsumer(t, c, arn, types.ConsumerStatusActive)
	return arn
}

// fresh returns a new client for one subscription: aws-sdk-go-v2 shares
// one event-stream decoder per client among all its streams, a data race
// (aws/smithy-go#714), so concurrent subscriptions need clients of their own.
// It has no overall timeout, which would cut a long subscription.
// It speaks h2c, SubscribeToShard's usual protocol, and closes its
// connection at the end of the test (an HTTP/2 server waits a second for
// clients that keep theirs).
func fresh(t testing.TB, e *testenv.Env) *kinesis.Client {
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	t.Cleanup(tr.CloseIdleConnections)
	return e.Client(func(o *kinesis.Options) { o.HTTPClient = &http.Client{Transport: tr} })
}

// sub is a running subscription whose events a goroutine forwards.
type sub struct {
	t      testing.TB
	out    *kinesis.SubscribeToShardOutput
	events chan types.SubscribeToShardEvent
	done   chan error // the stream's Err() once it ends
	cancel context.CancelFunc
}

// subscribeTo starts a subscription; it fails the test if the call fails.
func subscribeTo(t testing.TB, c *kinesis.Client, arn, shard string, pos *types.StartingPosition) *sub {
	t.Helper()
	s, err := trySubscribe(t, c, arn, shard, pos)
	if err != nil {
		t.Fatalf("SubscribeToShard: %v", err)
	}
	return s
}

func trySubscribe(t testing.TB, c *kinesis.Client, arn, shard string, pos *types.StartingPosition) (*sub, error) {
	ctx, cancel := context.WithCancel(context.Background())
	out, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String(shard), StartingPosition: pos})
	if err != nil {
		cancel()
		return nil, err
	}
	s := &sub{t: t, out: out, events: make(chan types.SubscribeToShardEvent, 1024), done: make(chan error, 1), cancel: cancel}
	go func() {
		stream := out.GetStream()
		defer stream.Close()
		for ev := range stream.Events() {
			if v, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent); ok {
				s.events <- v.Value
			}
		}
		s.done <- stream.Err()
		close(s.events)
	}()
	t.Cleanup(s.close)
	return s, nil
}

// next returns the next event; the timeout only guards against a hang.
func (s *sub) next() types.SubscribeToShardEvent {
	s.t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			s.t.Fatalf("subscription ended while an event was expected: %v", <-s.done)
		}
		return ev
	case <-time.After(20 * time.Second):
		s.t.Fatal("no event")
	}
	panic("unreachable")
}

// records collects events until n records arrived.
func (s *sub) records(n int) ([]types.Record, []types.SubscribeToShardEvent) {
	s.t.Helper()
	var recs []types.Record
	var evs []types.SubscribeToShardEvent
	for len(recs) < n {
		ev := s.next()
		evs = append(evs, ev)
		recs = append(recs, ev.Records...)
	}
	return recs, evs
}

// end waits for the stream to end and returns its error; events still
// queued are returned too.
func (s *sub) end() ([]types.SubscribeToShardEvent, error) {
	s.t.Helper()
	var evs []types.SubscribeToShardEvent
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev, ok := <-s.events:
			if ok {
				evs = append(evs, ev)
				continue
			}
			return evs, <-s.done
		case <-timeout:
			s.t.Fatal("subscription did not end")
		}
	}
}

// close ends the subscription from the client's side and waits until its
// reader is done.
func (s *sub) close() {
	s.cancel()
	for range s.events {
	}
}

// waitReleased waits until the server has no live subscription (the
// client's cancel reached it).
func waitReleased(t testing.TB, e *testenv.Env, want int) {
	t.Helper()
	for i := 0; streams.ActiveSubscriptions(e.Node.Streams) != want; i++ {
		if i > 5000 {
			t.Fatalf("%d subscriptions live, want %d", streams.ActiveSubscriptions(e.Node.Streams), want)
		}
		time.Sleep(time.Millisecond)
	}
}

// putRecords writes records with the given data to one partition key and
// returns their sequence numbers.
func putRecords(t testing.TB, c *kinesis.Client, stream string, data ...string) []string {
	t.Helper()
	var entries []types.PutRecordsRequestEntry
	for _, d := range data {
		entries = append(entries, types.PutRecordsRequestEntry{Data: []byte(d), PartitionKey: aws.String("pk")})
	}
	out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
	if err != nil {
		t.Fatal(err)
	}
	var seqs []string
	for _, r := range out.Records {
		if r.ErrorCode != nil {
			t.Fatalf("PutRecords: %s %s", *r.ErrorCode, *r.ErrorMessage)
		}
		seqs = append(seqs, *r.SequenceNumber)
	}
	return seqs
}

// errAs reports whether err is (or wraps) a T and returns it.
func errAs[T error](err error) (T, bool) {
	var target T
	ok := errors.As(err, &target)
	return target, ok
}
