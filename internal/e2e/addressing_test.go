package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestStreamARNEverywhere calls every stream-addressed operation by
// StreamARN alone, by both StreamName and StreamARN, and with the two
// disagreeing or both missing.
func TestStreamARNEverywhere(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 2)
	create(t, e, k, "other", 1)
	sum, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")})
	noErr(t, err)
	id := sum.StreamDescriptionSummary.StreamId

	type addr struct{ name, arn, id *string }
	calls := map[string]func(a addr) error{
		"DescribeStream": func(a addr) error {
			_, err := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: a.name, StreamARN: a.arn, StreamId: a.id})
			return err
		},
		"DescribeStreamSummary": func(a addr) error {
			_, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: a.name, StreamARN: a.arn, StreamId: a.id})
			return err
		},
		"ListShards": func(a addr) error {
			_, err := k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: a.name, StreamARN: a.arn, StreamId: a.id})
			return err
		},
		"PutRecord": func(a addr) error {
			_, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: a.name, StreamARN: a.arn, StreamId: a.id, PartitionKey: aws.String("a"), Data: []byte("x")})
			return err
		},
		"PutRecords": func(a addr) error {
			_, err := k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: a.name, StreamARN: a.arn, StreamId: a.id, Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("a"), Data: []byte("x")}}})
			return err
		},
		"GetShardIterator": func(a addr) error {
			_, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: a.name, StreamARN: a.arn, StreamId: a.id, ShardId: aws.String("0"), ShardIteratorType: types.ShardIteratorTypeLatest})
			return err
		},
		"AddTagsToStream": func(a addr) error {
			_, err := k.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: a.name, StreamARN: a.arn, StreamId: a.id, Tags: map[string]string{"a": "b"}})
			return err
		},
		"ListTagsForStream": func(a addr) error {
			_, err := k.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: a.name, StreamARN: a.arn, StreamId: a.id})
			return err
		},
		"RemoveTagsFromStream": func(a addr) error {
			_, err := k.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: a.name, StreamARN: a.arn, StreamId: a.id, TagKeys: []string{"a"}})
			return err
		},
		"IncreaseStreamRetentionPeriod": func(a addr) error {
			_, err := k.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: a.name, StreamARN: a.arn, StreamId: a.id, RetentionPeriodHours: aws.Int32(24)})
			return err
		},
		"DecreaseStreamRetentionPeriod": func(a addr) error {
			_, err := k.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: a.name, StreamARN: a.arn, StreamId: a.id, RetentionPeriodHours: aws.Int32(24)})
			return err
		},
		"EnableEnhancedMonitoring": func(a addr) error {
			_, err := k.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: a.name, StreamARN: a.arn, StreamId: a.id, ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}})
			return err
		},
		"DisableEnhancedMonitoring": func(a addr) error {
			_, err := k.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: a.name, StreamARN: a.arn, StreamId: a.id, ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}})
			return err
		},
	}
	name, arn := aws.String("s"), aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")
	otherARN := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/other")
	for op, call := range calls {
		for _, a := range []addr{{nil, arn, nil}, {name, arn, nil}} {
			if err := call(a); err != nil {
				t.Errorf("%s with %v: %v", op, a, err)
			}
		}
		// eddy's texts: AWS's for these cases are not public.
		wantErr(t, call(addr{name, otherARN, nil}), "InvalidArgumentException", "StreamName s does not match the stream in StreamARN arn:aws:kinesis:us-east-1:000000000000:stream/other.")
		err := call(addr{})
		if op == "ListShards" {
			wantErr(t, err, "InvalidArgumentException", "Either NextToken or StreamName should be provided.")
		} else {
			wantErr(t, err, "InvalidArgumentException", "Either StreamName or StreamARN must be provided.")
		}
		// A not-found stream addressed by ARN is reported by the ARN's name.
		err = call(addr{nil, aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/nope"), nil})
		if op == "GetShardIterator" {
			wantErr(t, err, "ResourceNotFoundException", "Shard shardId-000000000000 in stream nope under account 000000000000 does not exist")
		} else {
			wantErr(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
		}
		// ARNs of another account or region are refused.
		wantErr(t, call(addr{nil, aws.String("arn:aws:kinesis:us-east-1:111111111111:stream/s"), nil}), "AccessDeniedException",
			"Resource arn:aws:kinesis:us-east-1:111111111111:stream/s is not in account 000000000000 and region us-east-1 of this request.")
		wantErr(t, call(addr{nil, aws.String("arn:aws:kinesis:eu-west-1:000000000000:stream/s"), nil}), "AccessDeniedException",
			"Resource arn:aws:kinesis:eu-west-1:000000000000:stream/s is not in account 000000000000 and region us-east-1 of this request.")
	}

	// GetRecords takes an optional StreamARN beside the iterator.
	it := iter(t, k, "s", "0", types.ShardIteratorTypeTrimHorizon)
	_, err = k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, StreamARN: arn})
	noErr(t, err)

	// StreamId goes through raw requests: eddy's ids have AWS's shape
	// ([a-z0-9]{20}-[a-z0-9]{3}), and for such ids aws-sdk-go-v2's endpoint
	// rules send the request to the stream's AWS cell host
	// (ID.SUFFIX.control-kinesis.REGION.amazonaws.com), ignoring
	// BaseEndpoint.
	bodies := map[string]string{
		"DescribeStream": `{}`, "DescribeStreamSummary": `{}`, "ListShards": `{}`, "ListTagsForStream": `{}`,
		"PutRecord":                     `{"PartitionKey":"a","Data":"eA=="}`,
		"PutRecords":                    `{"Records":[{"PartitionKey":"a","Data":"eA=="}]}`,
		"GetShardIterator":              `{"ShardId":"0","ShardIteratorType":"LATEST"}`,
		"AddTagsToStream":               `{"Tags":{"a":"b"}}`,
		"RemoveTagsFromStream":          `{"TagKeys":["a"]}`,
		"IncreaseStreamRetentionPeriod": `{"RetentionPeriodHours":24}`,
		"DecreaseStreamRetentionPeriod": `{"RetentionPeriodHours":24}`,
		"EnableEnhancedMonitoring":      `{"ShardLevelMetrics":["IncomingBytes"]}`,
		"DisableEnhancedMonitoring":     `{"ShardLevelMetrics":["IncomingBytes"]}`,
		"UpdateMaxRecordSize":           `{"MaxRecordSizeInKiB":1024}`,
	}
	for op, b := range bodies {
		with := func(extra string) string {
			return b[:len(b)-1] + map[bool]string{true: "", false: ","}[b == "{}"] + extra + "}"
		}
		if code, body := callJSON(t, e, op, with(`"StreamId":"`+*id+`"`)); code != 200 {
			t.Errorf("%s by StreamId: %d %v", op, code, body)
		}
		if code, body := callJSON(t, e, op, with(`"StreamId":"`+*id+`","StreamARN":"`+*arn+`"`)); code != 200 {
			t.Errorf("%s by StreamId and StreamARN: %d %v", op, code, body)
		}
		// eddy's text.
		code, body := callJSON(t, e, op, with(`"StreamId":"`+*id+`","StreamARN":"`+*otherARN+`"`))
		wantJSONErr(t, code, body, "InvalidArgumentException", "StreamId "+*id+" does not identify stream other.")
	}

	// ARNs that do not match the model's pattern fail validation.
	code, body := callJSON(t, e, "DescribeStream", `{"StreamARN":"arn:aws:kinesis:us-east-1:0000:stream/s"}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value 'arn:aws:kinesis:us-east-1:0000:stream/s' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+")
	// A consumer ARN is not a stream ARN (eddy's text).
	_, err = k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1")})
	wantErr(t, err, "InvalidArgumentException", "StreamARN arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1 is not a valid stream ARN.")
	// Other partitions' ARNs work in their region (aws-cn here).
	_, err = k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamARN: aws.String("arn:aws-cn:kinesis:us-east-1:000000000000:stream/s")})
	noErr(t, err)

	// DeleteStream by ARN, and by StreamId.
	_, err = k.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamARN: otherARN})
	noErr(t, err)
	if code, body := callJSON(t, e, "DeleteStream", `{"StreamId":"`+*id+`"}`); code != 200 {
		t.Fatalf("DeleteStream by StreamId: %d %v", code, body)
	}
	for _, n := range []string{"s", "other"} {
		w := kinesis.NewStreamNotExistsWaiter(k, func(o *kinesis.StreamNotExistsWaiterOptions) {
			o.MinDelay, o.MaxDelay = time.Millisecond, 10*time.Millisecond
		})
		noErr(t, w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(n)}, 10*time.Second))
	}
	// eddy: an unknown StreamId is reported like an unknown name.
	code, body = callJSON(t, e, "DescribeStream", `{"StreamId":"`+*id+`"}`)
	wantJSONErr(t, code, body, "ResourceNotFoundException", "Stream "+*id+" under account 000000000000 not found.")
}

// TestNamespaces: streams live per account (a 12-digit access key id, else
// 000000000000) and region; nobody sees another namespace's streams.
func TestNamespaces(t *testing.T) {
	e := start(t)
	a := client(e, "111111111111", "")
	b := client(e, "222222222222", "")
	aEU := client(e, "111111111111", "eu-west-1")
	def := client(e, "AKIAIOSFODNN7EXAMPLE", "")
	short := client(e, "12345678901", "") // 11 digits: the default account
	shards := map[*kinesis.Client]int32{a: 1, b: 2, aEU: 3, def: 4}
	for c, n := range shards {
		create(t, e, c, "s", n)
	}
	want := map[*kinesis.Client]string{
		a:   "arn:aws:kinesis:us-east-1:111111111111:stream/s",
		b:   "arn:aws:kinesis:us-east-1:222222222222:stream/s",
		aEU: "arn:aws:kinesis:eu-west-1:111111111111:stream/s",
		def: "arn:aws:kinesis:us-east-1:000000000000:stream/s",
	}
	for c, arn := range want {
		d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")})
		noErr(t, err)
		if *d.StreamDescription.StreamARN != arn || int32(len(d.StreamDescription.Shards)) != shards[c] {
			t.Errorf("%s: ARN %s, %d shards", arn, *d.StreamDescription.StreamARN, len(d.StreamDescription.Shards))
		}
		ls, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
		noErr(t, err)
		if len(ls.StreamNames) != 1 || *ls.StreamSummaries[0].StreamARN != arn {
			t.Errorf("%s lists %v", arn, ls.StreamNames)
		}
		lim, err := c.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
		noErr(t, err)
		if *lim.OpenShardCount != shards[c] {
			t.Errorf("%s: OpenShardCount %d", arn, *lim.OpenShardCount)
		}
	}
	d, err := short.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")})
	noErr(t, err)
	if *d.StreamDescription.StreamARN != want[def] {
		t.Fatalf("11-digit key: %s", *d.StreamDescription.StreamARN)
	}

	// Records stay in their namespace.
	_, err = a.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("for a")})
	noErr(t, err)
	if n := len(readAll(t, a, "s", "0")); n != 1 {
		t.Fatalf("a reads %d", n)
	}
	if n := len(readAll(t, aEU, "s", "0")); n != 0 {
		t.Fatalf("a in eu-west-1 reads %d", n)
	}
	// Messages name the caller's account.
	_, err = a.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", "Stream nope under account 111111111111 not found.")
	_, err = b.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	wantErr(t, err, "ResourceInUseException", "Stream s under account 222222222222 already exists.")
	// Another account's ARN is refused, not looked up.
	_, err = b.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamARN: aws.String(want[a])})
	wantErr(t, err, "AccessDeniedException", "Resource arn:aws:kinesis:us-east-1:111111111111:stream/s is not in account 222222222222 and region us-east-1 of this request.")
	// Deleting in one namespace leaves the others alone.
	_, err = a.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	noErr(t, err)
	w := kinesis.NewStreamNotExistsWaiter(a, func(o *kinesis.StreamNotExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 10*time.Millisecond
	})
	noErr(t, w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")}, 10*time.Second))
	for _, c := range []*kinesis.Client{b, aEU, def} {
		if s := status(t, c, "s"); s != types.StreamStatusActive {
			t.Fatalf("%s: %s", want[c], s)
		}
	}
	if n := len(readAll(t, aEU, "s", "0")); n != 0 {
		t.Fatalf("a in eu-west-1 reads %d", n)
	}
}
