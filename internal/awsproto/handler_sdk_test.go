package awsproto

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// These tests point the real AWS SDK for Go v2 Kinesis client at the
// handler, with hand-written operations, to check the envelope, the error
// mapping and the event-stream framing against the SDK's own decoders.

type subscribeEvent struct {
	seq    string
	behind int64
}

func (e subscribeEvent) AppendAWS(enc Encoding, dst []byte) []byte {
	return fmt.Appendf(dst, `{"Records":[{"Data":"aGVsbG8=","PartitionKey":"pk","SequenceNumber":%q,"ApproximateArrivalTimestamp":1.7E9}],"ContinuationSequenceNumber":%q,"MillisBehindLatest":%d}`, e.seq, e.seq, e.behind)
}

// streamScript drives the test SubscribeToShard by the ShardId it is given.
func streamScript(ctx context.Context, in Input, es EventSender) error {
	switch in.(*testInput).Name {
	case "early-error":
		return Errorf(ResourceNotFound, "Shard shardId-000000000009 in stream s under account 123456789012 does not exist")
	case "late-error":
		if err := es.Send("SubscribeToShardEvent", subscribeEvent{"1", 5}); err != nil {
			return err
		}
		return Errorf(ResourceInUse, "Another active subscription exists for this consumer: 123456789012:s:shardId-000000000000:c")
	case "internal":
		es.Send("SubscribeToShardEvent", subscribeEvent{"1", 5})
		return errors.New("log segment vanished")
	case "forever":
		es.Start()
		<-ctx.Done()
		return ctx.Err()
	}
	for i := range 3 {
		if err := es.Send("SubscribeToShardEvent", subscribeEvent{fmt.Sprint(i + 1), int64(10 - i)}); err != nil {
			return err
		}
	}
	return nil
}

// sdkInput reads the SDK's JSON body: the SubscribeToShard test takes its
// script name from ShardId, the others ignore the body.
type sdkInput struct{ testInput }

func (in *sdkInput) DecodeAWS(enc Encoding, body []byte) error {
	if err := in.testInput.DecodeAWS(enc, body); err != nil {
		return err
	}
	if i := strings.Index(string(body), `"ShardId":"`); i >= 0 {
		rest := string(body[i+len(`"ShardId":"`):])
		in.Name = rest[:strings.IndexByte(rest, '"')]
	}
	return nil
}

func sdkService() *Service {
	s := testService(func(ctx context.Context, in Input, es EventSender) error {
		return streamScript(ctx, &in.(*sdkInput).testInput, es)
	})
	for _, op := range s.Operations {
		op.NewInput = func() Input { return &sdkInput{} }
	}
	s.Operations["ListStreams"].Call = func(ctx context.Context, _ Input) (Output, error) {
		return rawOutput(`{"HasMoreStreams":false,"StreamNames":["a","b"]}`), nil
	}
	return s
}

type protoCase struct {
	name   string
	major  int // the HTTP major version requests must arrive with
	server func(h http.Handler) *httptest.Server
	client func(srv *httptest.Server) *http.Client
}

var protocols = []protoCase{
	{"http1", 1, httptest.NewServer, func(s *httptest.Server) *http.Client { return s.Client() }},
	{"h2c", 2, func(h http.Handler) *httptest.Server {
		s := httptest.NewUnstartedServer(h)
		s.Config.Protocols = new(http.Protocols)
		s.Config.Protocols.SetHTTP1(true)
		s.Config.Protocols.SetUnencryptedHTTP2(true)
		s.Start()
		return s
	}, func(s *httptest.Server) *http.Client {
		tr := &http.Transport{Protocols: new(http.Protocols)}
		tr.Protocols.SetUnencryptedHTTP2(true)
		return &http.Client{Transport: tr}
	}},
}

func sdkClient(srv *httptest.Server, hc *http.Client) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       "us-west-2",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:   hc,
		Retryer:      aws.NopRetryer{},
	})
}

func TestSDKUnary(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			h, err := NewHandler(HandlerOptions{}, sdkService())
			if err != nil {
				t.Fatal(err)
			}
			srv := p.server(requireProto(t, p.major, h))
			defer srv.Close()
			c := sdkClient(srv, p.client(srv))
			ctx := context.Background()

			out, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.StreamNames) != 2 || *out.HasMoreStreams {
				t.Errorf("ListStreams: %+v", out)
			}

			_, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("missing")})
			var rnf *types.ResourceNotFoundException
			if !errors.As(err, &rnf) || rnf.ErrorMessage() != "Stream missing under account 000000000000 not found." {
				t.Errorf("DescribeStream: %v", err)
			}

			_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("x")})
			var inf *types.InternalFailureException
			if !errors.As(err, &inf) {
				t.Errorf("GetRecords: %T %v", err, err)
			}

			_, err = c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("s"), ShardToMerge: aws.String("a"), AdjacentShardToMerge: aws.String("b")})
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != "UnknownOperationException" {
				t.Errorf("MergeShards: %v", err)
			}
		})
	}
}

func subscribe(t *testing.T, c *kinesis.Client, script string) (*kinesis.SubscribeToShardOutput, error) {
	t.Helper()
	return c.SubscribeToShard(context.Background(), &kinesis.SubscribeToShardInput{
		ConsumerARN:      aws.String("arn:aws:kinesis:us-west-2:123456789012:stream/s/consumer/c:1700000000"),
		ShardId:          aws.String(script),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest},
	})
}

func collect(t *testing.T, out *kinesis.SubscribeToShardOutput) []types.SubscribeToShardEvent {
	t.Helper()
	stream := out.GetStream()
	defer stream.Close()
	var got []types.SubscribeToShardEvent
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				return got
			}
			v, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !isEvent {
				t.Fatalf("unexpected event %T", ev)
			}
			got = append(got, v.Value)
		case <-timeout:
			t.Fatal("stream did not end")
		}
	}
}

func TestSDKSubscribeToShard(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			h, err := NewHandler(HandlerOptions{}, sdkService())
			if err != nil {
				t.Fatal(err)
			}
			srv := p.server(requireProto(t, p.major, h))
			defer srv.Close()
			c := sdkClient(srv, p.client(srv))

			out, err := subscribe(t, c, "shardId-000000000000")
			if err != nil {
				t.Fatal(err)
			}
			evs := collect(t, out)
			if len(evs) != 3 {
				t.Fatalf("got %d events", len(evs))
			}
			for i, ev := range evs {
				if *ev.ContinuationSequenceNumber != fmt.Sprint(i+1) || *ev.MillisBehindLatest != int64(10-i) ||
					len(ev.Records) != 1 || string(ev.Records[0].Data) != "hello" || *ev.Records[0].PartitionKey != "pk" {
					t.Errorf("event %d: %+v", i, ev)
				}
			}
			if err := out.GetStream().Err(); err != nil {
				t.Errorf("stream error after a clean end: %v", err)
			}

			// An error before the first event is an ordinary error response.
			_, err = subscribe(t, c, "early-error")
			var rnf *types.ResourceNotFoundException
			if !errors.As(err, &rnf) {
				t.Errorf("early error: %T %v", err, err)
			}

			// An error after it is an exception message that ends the stream.
			for script, check := range map[string]func(error) bool{
				"late-error": func(err error) bool {
					var riu *types.ResourceInUseException
					return errors.As(err, &riu) && strings.Contains(riu.ErrorMessage(), "Another active subscription")
				},
				"internal": func(err error) bool {
					var inf *types.InternalFailureException
					return errors.As(err, &inf)
				},
			} {
				out, err = subscribe(t, c, script)
				if err != nil {
					t.Fatal(err)
				}
				if evs := collect(t, out); len(evs) != 1 {
					t.Errorf("%s: %d events before the exception", script, len(evs))
				}
				if err := out.GetStream().Err(); !check(err) {
					t.Errorf("%s: stream error %T %v", script, err, err)
				}
			}

			// EndStreams ends a stream that would otherwise run forever.
			out, err = subscribe(t, c, "forever")
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan []types.SubscribeToShardEvent)
			go func() { done <- collect(t, out) }()
			h.EndStreams()
			select {
			case evs := <-done:
				if len(evs) != 0 {
					t.Errorf("forever: %d events", len(evs))
				}
			case <-time.After(10 * time.Second):
				t.Fatal("EndStreams did not end the stream")
			}
		})
	}
}

func requireProto(t *testing.T, major int, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != major {
			t.Errorf("request arrived over %s", r.Proto)
		}
		h.ServeHTTP(w, r)
	})
}
