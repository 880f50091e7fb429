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

	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/node"
	"github.com/eddy-streams/eddy/internal/testenv"
)

// Consumer lifecycle (RegisterStreamConsumer, DescribeStreamConsumer,
// ListStreamConsumers, DeregisterStreamConsumer) on a fake clock with
// AWS-like half-second transitions.

const transition = 500 * time.Millisecond

// slowEnv runs a node on a fake clock whose streams and consumers take
// transition to create and delete, with an ACTIVE one-shard stream.
func slowEnv(t *testing.T, stream string, start time.Time) (*testenv.Env, *clock.Fake) {
	t.Helper()
	fake := clock.NewFake(start)
	e := testenv.Start(t, testenv.Options{Clock: fake, Configure: func(c *node.Config) {
		c.Streams.CreateDelay, c.Streams.DeleteDelay = transition, transition
	}})
	if _, err := e.Kinesis.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	fake.Advance(transition)
	return e, fake
}

func describeConsumer(t *testing.T, c *kinesis.Client, in *kinesis.DescribeStreamConsumerInput) (*types.ConsumerDescription, error) {
	t.Helper()
	out, err := c.DescribeStreamConsumer(context.Background(), in)
	if err != nil {
		return nil, err
	}
	return out.ConsumerDescription, nil
}

// apiErr checks err's type and message.
func apiErr(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	api, ok := errAs[smithy.APIError](err)
	if !ok || api.ErrorCode() != code || api.ErrorMessage() != msg {
		t.Errorf("%s: got %v, want %s: %s", what, err, code, msg)
	}
}

func TestConsumerLifecycle(t *testing.T) {
	e, fake := slowEnv(t, "life", time.Unix(1700000000, 250e6))
	ctx := context.Background()
	k := e.Kinesis
	sarn := streamARN(t, k, "life")
	reg, err := k.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(sarn), ConsumerName: aws.String("c1"),
		Tags: map[string]string{"team": "data"}})
	if err != nil {
		t.Fatal(err)
	}
	created := fake.Now().Truncate(time.Millisecond)
	arn := fmt.Sprintf("%s/consumer/c1:%d", sarn, created.Unix())
	if c := reg.Consumer; *c.ConsumerName != "c1" || *c.ConsumerARN != arn || c.ConsumerStatus != types.ConsumerStatusCreating || !c.ConsumerCreationTimestamp.Equal(created) {
		t.Fatalf("registered %+v, want ARN %s created %v", c, arn, created)
	}

	// Every way of addressing it, while CREATING.
	for _, in := range []*kinesis.DescribeStreamConsumerInput{
		{ConsumerARN: aws.String(arn)},
		{StreamARN: aws.String(sarn), ConsumerName: aws.String("c1")},
		{StreamARN: aws.String(sarn), ConsumerName: aws.String("c1"), ConsumerARN: aws.String(arn)},
	} {
		d, err := describeConsumer(t, k, in)
		if err != nil {
			t.Fatal(err)
		}
		if *d.ConsumerARN != arn || *d.StreamARN != sarn || d.ConsumerStatus != types.ConsumerStatusCreating || !d.ConsumerCreationTimestamp.Equal(created) {
			t.Fatalf("described %+v", d)
		}
	}
	_, err = describeConsumer(t, k, &kinesis.DescribeStreamConsumerInput{ConsumerName: aws.String("c1")})
	apiErr(t, "no stream", err, "InvalidArgumentException", "Either ConsumerARN or both StreamARN and ConsumerName must be provided.")
	_, err = describeConsumer(t, k, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn), ConsumerName: aws.String("c2")})
	apiErr(t, "conflicting name", err, "InvalidArgumentException", "ConsumerARN "+arn+" does not match ConsumerName c2.")
	_, err = describeConsumer(t, k, &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(sarn), ConsumerName: aws.String("c2")})
	apiErr(t, "unknown name", err, "ResourceNotFoundException", "Consumer c2 under stream life and account 000000000000 not found.")
	_, err = describeConsumer(t, k, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(sarn + "/consumer/c1:1")})
	apiErr(t, "unknown ARN", err, "ResourceNotFoundException", "Consumer "+sarn+"/consumer/c1:1 not found.")

	_, err = trySubscribe(t, fresh(t, e), arn, "0", &types.StartingPosition{Type: types.ShardIteratorTypeLatest})
	apiErr(t, "subscribe while CREATING", err, "ResourceInUseException",
		fmt.Sprintf("Consumer c1 with creation timestamp %d under stream: life , account 000000000000 is not in ACTIVE status.", created.Unix()))
	_, err = k.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(sarn), ConsumerName: aws.String("c1")})
	apiErr(t, "register twice", err, "ResourceInUseException", "Consumer c1 under stream life already exists for account 000000000000.")

	fake.Advance(transition)
	if d, _ := describeConsumer(t, k, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)}); d == nil || d.ConsumerStatus != types.ConsumerStatusActive {
		t.Fatalf("after CreateDelay: %+v", d)
	}
	tags, err := k.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "team" || *tags.Tags[0].Value != "data" {
		t.Fatalf("consumer tags: %+v %v", tags, err)
	}
	sum, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("life")})
	if err != nil || *sum.StreamDescriptionSummary.ConsumerCount != 1 {
		t.Fatalf("ConsumerCount: %+v %v", sum, err)
	}

	// Deregistration: DELETING, then gone.
	if _, err := k.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{StreamARN: aws.String(sarn), ConsumerName: aws.String("c1")}); err != nil {
		t.Fatal(err)
	}
	list, err := k.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(sarn)})
	if err != nil || len(list.Consumers) != 1 || list.Consumers[0].ConsumerStatus != types.ConsumerStatusDeleting {
		t.Fatalf("listed while DELETING: %+v %v", list, err)
	}
	_, err = k.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(arn)})
	apiErr(t, "deregister twice", err, "ResourceNotFoundException", "Consumer "+arn+" not found.")
	_, err = k.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(sarn), ConsumerName: aws.String("c1")})
	apiErr(t, "register while DELETING", err, "ResourceInUseException", "Consumer c1 under stream life already exists for account 000000000000.")

	fake.Advance(transition)
	_, err = describeConsumer(t, k, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
	apiErr(t, "after DeleteDelay", err, "ResourceNotFoundException", "Consumer "+arn+" not found.")
	list, err = k.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(sarn)})
	if err != nil || list.Consumers == nil || len(list.Consumers) != 0 {
		t.Fatalf("listed after deletion: %+v %v", list, err)
	}
	// The same name again is a new consumer with a new ARN.
	fake.Advance(time.Second)
	again := register(t, k, "life", "c1")
	if again == arn || !strings.HasPrefix(again, sarn+"/consumer/c1:") {
		t.Fatalf("re-registered ARN %s (old %s)", again, arn)
	}
}

func TestConsumerLimits(t *testing.T) {
	e, fake := slowEnv(t, "lim", time.Now())
	ctx := context.Background()
	k := e.Kinesis
	sarn := streamARN(t, k, "lim")
	n := 0
	registerN := func(count int) {
		t.Helper()
		for range count {
			n++
			register(t, k, "lim", fmt.Sprintf("c%02d", n))
		}
	}
	registerN(5)
	_, err := k.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(sarn), ConsumerName: aws.String("sixth")})
	apiErr(t, "sixth CREATING", err, "LimitExceededException", "This request would exceed the limit of 5 consumers in CREATING status for stream lim under account 000000000000.")
	for range 3 {
		fake.Advance(transition)
		registerN(5)
	}
	fake.Advance(transition)
	_, err = k.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(sarn), ConsumerName: aws.String("c21")})
	apiErr(t, "21st", err, "LimitExceededException", "This request would exceed the limit of 20 consumers registered to stream lim under account 000000000000.")

	// A stream with consumers is deleted only with EnforceConsumerDeletion,
	// and its consumers go with it.
	_, err = k.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("lim")})
	apiErr(t, "DeleteStream", err, "ResourceInUseException", "DeleteStream can’t delete 000000000000:lim because there are consumers associated with this data stream. To delete lim anyway, set the EnforceConsumerDeletion parameter to true to force the deletion of all the consumers that are associated with it.")
	if _, err := k.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("lim"), EnforceConsumerDeletion: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	fake.Advance(transition)
	// DescribeStream finishes the deletion if the timer has not yet.
	_, err = k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("lim")})
	if _, ok := errAs[*types.ResourceNotFoundException](err); !ok {
		t.Fatalf("deleted stream: %v", err)
	}
	createActiveFake(t, e, fake, "lim")
	list, err := k.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(streamARN(t, k, "lim"))})
	if err != nil || len(list.Consumers) != 0 {
		t.Fatalf("consumers of the recreated stream: %+v %v", list, err)
	}
}

func createActiveFake(t *testing.T, e *testenv.Env, fake *clock.Fake, name string) {
	t.Helper()
	if _, err := e.Kinesis.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	fake.Advance(transition)
}

func TestConsumerListPaging(t *testing.T) {
	e, fake := slowEnv(t, "page", time.Now())
	ctx := context.Background()
	k := e.Kinesis
	sarn := aws.String(streamARN(t, k, "page"))
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("z%d", 7-i) // registration order differs from name order
		want = append(want, name)
		register(t, k, "page", name)
		fake.Advance(transition)
	}
	var got []string
	var token *string
	for pages := 0; ; pages++ {
		out, err := k.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: sarn, MaxResults: aws.Int32(3), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range out.Consumers {
			got = append(got, *c.ConsumerName)
			if c.ConsumerStatus != types.ConsumerStatusActive {
				t.Errorf("%s is %s", *c.ConsumerName, c.ConsumerStatus)
			}
		}
		if token = out.NextToken; token == nil {
			if pages != 2 {
				t.Errorf("%d pages", pages+1)
			}
			break
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("listed %v, want %v", got, want)
	}
	out, err := k.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: sarn, MaxResults: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	created := fake.Now()
	_, err = k.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: sarn, NextToken: out.NextToken, StreamCreationTimestamp: &created})
	apiErr(t, "NextToken with StreamCreationTimestamp", err, "InvalidArgumentException", "NextToken and StreamCreationTimestamp cannot be provided together.")
	_, err = k.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: sarn, StreamCreationTimestamp: &created})
	apiErr(t, "another incarnation", err, "ResourceNotFoundException", "Stream page under account 000000000000 not found.")
	fake.Advance(301 * time.Second)
	_, err = k.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: sarn, NextToken: out.NextToken})
	if _, ok := errAs[*types.ExpiredNextTokenException](err); !ok {
		t.Errorf("expired token: %v", err)
	}
}

// TestConsumersSurviveRestart: consumers, their ARNs, tags and pending
// transitions are in the catalog.
func TestConsumersSurviveRestart(t *testing.T) {
	e, fake := slowEnv(t, "keep", time.Now())
	k := e.Kinesis
	active := register(t, k, "keep", "active")
	fake.Advance(transition)
	creating := register(t, k, "keep", "creating")
	if _, err := k.TagResource(context.Background(), &kinesis.TagResourceInput{ResourceARN: aws.String(active), Tags: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	e = e.Restart()
	k = e.Kinesis
	for arn, want := range map[string]types.ConsumerStatus{active: types.ConsumerStatusActive, creating: types.ConsumerStatusCreating} {
		d, err := describeConsumer(t, k, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
		if err != nil || d.ConsumerStatus != want {
			t.Fatalf("%s after restart: %+v %v", arn, d, err)
		}
	}
	fake.Advance(transition)
	waitConsumer(t, k, creating, types.ConsumerStatusActive)
	tags, err := k.ListTagsForResource(context.Background(), &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(active)})
	if err != nil || len(tags.Tags) != 1 {
		t.Fatalf("tags after restart: %+v %v", tags, err)
	}
	s := subscribeTo(t, fresh(t, e), active, "0", &types.StartingPosition{Type: types.ShardIteratorTypeLatest})
	putRecords(t, k, "keep", "after restart")
	if recs, _ := s.records(1); string(recs[0].Data) != "after restart" {
		t.Fatalf("read %s", recs[0].Data)
	}
}
