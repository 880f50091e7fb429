package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

// APIError is an error response of the Kinesis API.
type APIError struct {
	Status  int
	Type    string // exception name without a namespace prefix
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s (HTTP %d): %s", e.Type, e.Status, e.Message)
}

// Throttle reports whether the error asks the caller to slow down.
func (e *APIError) Throttle() bool {
	switch e.Type {
	case "ProvisionedThroughputExceededException", "LimitExceededException", "ThrottlingException", "KMSThrottlingException":
		return true
	}
	return false
}

// parseAPIError reads an AWS JSON error body.
func parseAPIError(status int, body []byte) *APIError {
	var m struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		Message2 string `json:"Message"`
	}
	e := &APIError{Status: status}
	if err := json.Unmarshal(body, &m); err != nil || m.Type == "" {
		e.Type = fmt.Sprintf("HTTP%d", status)
		e.Message = strings.TrimSpace(string(body))
		if len(e.Message) > 200 {
			e.Message = e.Message[:200] + "..."
		}
		return e
	}
	e.Type = m.Type
	if i := strings.LastIndexByte(e.Type, '#'); i >= 0 {
		e.Type = e.Type[i+1:]
	}
	if i := strings.IndexByte(e.Type, ':'); i >= 0 {
		e.Type = e.Type[:i]
	}
	e.Message = m.Message
	if e.Message == "" {
		e.Message = m.Message2
	}
	return e
}

// errorType names an error for the report's error table.
func errorType(err error) string {
	var ae *APIError
	switch {
	case errors.As(err, &ae):
		return ae.Type
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errTimeout):
		return "Timeout"
	case errors.Is(err, errConnection):
		return "ConnectionError"
	case errors.Is(err, errDecode):
		return "BadResponse"
	}
	return "Error"
}

var (
	errTimeout = errors.New("timeout")
	errDecode  = errors.New("undecodable response")
)

type awsInput interface {
	AppendAWS(awsproto.Encoding, []byte) []byte
}

type awsOutput interface {
	DecodeAWS(awsproto.Encoding, []byte) error
}

// client makes control-plane calls; it is not for the hot path.
type client struct {
	c   *conn
	buf []byte
}

func (k *client) call(ctx context.Context, op string, in awsInput, out awsOutput) error {
	k.buf = in.AppendAWS(awsproto.JSON, k.buf[:0])
	status, body, err := k.c.do(ctx, op, k.buf)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if status != 200 {
		return fmt.Errorf("%s: %w", op, parseAPIError(status, body))
	}
	if out == nil {
		return nil
	}
	if err := out.DecodeAWS(awsproto.JSON, body); err != nil {
		return fmt.Errorf("%s: %w: %w", op, errDecode, err)
	}
	return nil
}

func isType(err error, typ string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Type == typ
}

// shardInfo is one shard of the stream.
type shardInfo struct {
	ID     string
	Closed bool
}

// streamInfo is what a run needs to know about its stream.
type streamInfo struct {
	Name    string
	ARN     string
	Shards  []shardInfo
	Created bool
}

// ensureStream describes the stream, creating it with shards shards if it
// does not exist and create is set, and waits until it is ACTIVE.
func (k *client) ensureStream(ctx context.Context, name string, shards int, create bool) (streamInfo, error) {
	info := streamInfo{Name: name}
	var sum kinesisapi.DescribeStreamSummaryOutput
	err := k.call(ctx, "DescribeStreamSummary", &kinesisapi.DescribeStreamSummaryInput{StreamName: &name}, &sum)
	if isType(err, "ResourceNotFoundException") && create {
		n := int32(shards)
		if err := k.call(ctx, "CreateStream", &kinesisapi.CreateStreamInput{StreamName: name, ShardCount: &n}, nil); err != nil && !isType(err, "ResourceInUseException") {
			return info, err
		}
		info.Created = true
		err = k.call(ctx, "DescribeStreamSummary", &kinesisapi.DescribeStreamSummaryInput{StreamName: &name}, &sum)
	}
	if err != nil {
		return info, err
	}
	deadline := time.Now().Add(10 * time.Minute)
	for sum.StreamDescriptionSummary == nil || (sum.StreamDescriptionSummary.StreamStatus != "ACTIVE" && sum.StreamDescriptionSummary.StreamStatus != "UPDATING") {
		if time.Now().After(deadline) {
			return info, fmt.Errorf("stream %s did not become ACTIVE in 10 minutes", name)
		}
		select {
		case <-ctx.Done():
			return info, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if err := k.call(ctx, "DescribeStreamSummary", &kinesisapi.DescribeStreamSummaryInput{StreamName: &name}, &sum); err != nil {
			return info, err
		}
	}
	info.ARN = sum.StreamDescriptionSummary.StreamARN
	info.Shards, err = k.listShards(ctx, name)
	return info, err
}

// listShards pages through ListShards. Servers that ignore paging return
// everything at once.
func (k *client) listShards(ctx context.Context, name string) ([]shardInfo, error) {
	var out []shardInfo
	in := kinesisapi.ListShardsInput{StreamName: &name}
	for {
		var res kinesisapi.ListShardsOutput
		if err := k.call(ctx, "ListShards", &in, &res); err != nil {
			return nil, err
		}
		for _, s := range res.Shards {
			out = append(out, shardInfo{ID: s.ShardId, Closed: s.SequenceNumberRange != nil && s.SequenceNumberRange.EndingSequenceNumber != nil})
		}
		if res.NextToken == nil || *res.NextToken == "" || len(res.Shards) == 0 {
			return out, nil
		}
		in = kinesisapi.ListShardsInput{NextToken: res.NextToken}
	}
}

// shardIterator gets an iterator of type typ (with seq for the
// *_SEQUENCE_NUMBER types).
func (k *client) shardIterator(ctx context.Context, stream, shard string, typ kinesisapi.ShardIteratorType, seq string) (string, error) {
	in := kinesisapi.GetShardIteratorInput{StreamName: &stream, ShardId: shard, ShardIteratorType: typ}
	if seq != "" {
		in.StartingSequenceNumber = &seq
	}
	var out kinesisapi.GetShardIteratorOutput
	if err := k.call(ctx, "GetShardIterator", &in, &out); err != nil {
		return "", err
	}
	if out.ShardIterator == nil {
		return "", nil
	}
	return *out.ShardIterator, nil
}

// registerConsumer registers (or finds) an enhanced fan-out consumer and
// waits until it is ACTIVE.
func (k *client) registerConsumer(ctx context.Context, streamARN, name string) (string, error) {
	var reg kinesisapi.RegisterStreamConsumerOutput
	err := k.call(ctx, "RegisterStreamConsumer", &kinesisapi.RegisterStreamConsumerInput{StreamARN: streamARN, ConsumerName: name}, &reg)
	if err != nil && !isType(err, "ResourceInUseException") {
		return "", err
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var d kinesisapi.DescribeStreamConsumerOutput
		if err := k.call(ctx, "DescribeStreamConsumer", &kinesisapi.DescribeStreamConsumerInput{StreamARN: &streamARN, ConsumerName: &name}, &d); err != nil {
			return "", err
		}
		if d.ConsumerDescription != nil && d.ConsumerDescription.ConsumerStatus == "ACTIVE" {
			return d.ConsumerDescription.ConsumerARN, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("consumer %s did not become ACTIVE in 2 minutes", name)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (k *client) deregisterConsumer(ctx context.Context, consumerARN string) error {
	return k.call(ctx, "DeregisterStreamConsumer", &kinesisapi.DeregisterStreamConsumerInput{ConsumerARN: &consumerARN}, nil)
}
