package e2e

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func ids(idx ...int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, shardID(i))
	}
	return out
}

func TestListShardsPaging(t *testing.T) {
	e, fc := startFake(t)
	k := e.Kinesis
	createFake(t, e, fc, "s", 5)
	name := aws.String("s")

	all, err := k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name})
	noErr(t, err)
	if !slices.Equal(shardIDs(all.Shards), ids(0, 1, 2, 3, 4)) || all.NextToken != nil {
		t.Fatalf("all: %v %v", shardIDs(all.Shards), all.NextToken)
	}
	// The same shards as DescribeStream, field for field.
	d, err := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name})
	noErr(t, err)
	for i := range all.Shards {
		a, b := all.Shards[i], d.StreamDescription.Shards[i]
		if *a.HashKeyRange.StartingHashKey != *b.HashKeyRange.StartingHashKey || *a.HashKeyRange.EndingHashKey != *b.HashKeyRange.EndingHashKey ||
			*a.SequenceNumberRange.StartingSequenceNumber != *b.SequenceNumberRange.StartingSequenceNumber {
			t.Fatalf("shard %d differs: %+v vs %+v", i, a, b)
		}
	}
	// The last page carries no NextToken key at all.
	_, body := callJSON(t, e, "ListShards", `{"StreamName":"s"}`)
	if _, ok := body["NextToken"]; ok || len(body) != 1 {
		t.Fatalf("raw body: %v", body)
	}

	// MaxResults and NextToken; MaxResults may change between pages.
	p1, err := k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name, MaxResults: aws.Int32(2)})
	noErr(t, err)
	if !slices.Equal(shardIDs(p1.Shards), ids(0, 1)) || p1.NextToken == nil {
		t.Fatalf("page 1: %v", shardIDs(p1.Shards))
	}
	p2, err := k.ListShards(ctx, &kinesis.ListShardsInput{NextToken: p1.NextToken, MaxResults: aws.Int32(1)})
	noErr(t, err)
	if !slices.Equal(shardIDs(p2.Shards), ids(2)) || p2.NextToken == nil {
		t.Fatalf("page 2: %v", shardIDs(p2.Shards))
	}
	p3, err := k.ListShards(ctx, &kinesis.ListShardsInput{NextToken: p2.NextToken})
	noErr(t, err)
	if !slices.Equal(shardIDs(p3.Shards), ids(3, 4)) || p3.NextToken != nil {
		t.Fatalf("page 3: %v", shardIDs(p3.Shards))
	}

	// ExclusiveStartShardId, loose ids too.
	for after, want := range map[string][]string{"shardId-000000000002": ids(3, 4), "shard-0": ids(1, 2, 3, 4), "4": nil, "shardId-000000000077": nil} {
		out, err := k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name, ExclusiveStartShardId: aws.String(after)})
		noErr(t, err)
		if !slices.Equal(shardIDs(out.Shards), want) {
			t.Errorf("after %s: %v", after, shardIDs(out.Shards))
		}
	}

	// StreamCreationTimestamp picks one incarnation of the name.
	created := d.StreamDescription.StreamCreationTimestamp
	out, err := k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name, StreamCreationTimestamp: created})
	noErr(t, err)
	if len(out.Shards) != 5 {
		t.Fatalf("with the creation timestamp: %d shards", len(out.Shards))
	}
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name, StreamCreationTimestamp: aws.Time(created.Add(-time.Hour))})
	wantErr(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")

	// Argument errors: AWS's texts, and eddy's in the same pattern where
	// AWS's is not public.
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{})
	wantErr(t, err, "InvalidArgumentException", "Either NextToken or StreamName should be provided.")
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{NextToken: p1.NextToken, StreamName: name})
	wantErr(t, err, "InvalidArgumentException", "NextToken and StreamName cannot be provided together.")
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{NextToken: p1.NextToken, StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")})
	wantErr(t, err, "InvalidArgumentException", "NextToken and StreamName cannot be provided together.")
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{NextToken: p1.NextToken, ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
	wantErr(t, err, "InvalidArgumentException", "NextToken and ShardFilter cannot be provided together.")
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{NextToken: p1.NextToken, ExclusiveStartShardId: aws.String("shardId-000000000000")})
	wantErr(t, err, "InvalidArgumentException", "NextToken and ExclusiveStartShardId cannot be provided together.")
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{NextToken: p1.NextToken, StreamCreationTimestamp: created})
	wantErr(t, err, "InvalidArgumentException", "NextToken and StreamCreationTimestamp cannot be provided together.")
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{NextToken: aws.String("AAAAAAAAAAE")})
	wantErr(t, err, "InvalidArgumentException", "Invalid NextToken.")
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
	code, b := callJSON(t, e, "ListShards", `{"StreamName":"s","MaxResults":0}`)
	wantJSONErr(t, code, b, "ValidationException", "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1")
	code, b = callJSON(t, e, "ListShards", `{"StreamName":"s","MaxResults":10001}`)
	wantJSONErr(t, code, b, "ValidationException", "1 validation error detected: Value '10001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10000")
	code, b = callJSON(t, e, "ListShards", `{"NextToken":""}`)
	wantJSONErr(t, code, b, "ValidationException", "1 validation error detected: Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1")
	// A ListStreams token is not a ListShards token.
	createFake(t, e, fc, "t", 1)
	ls, err := k.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(1)})
	noErr(t, err)
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{NextToken: ls.NextToken})
	wantErr(t, err, "InvalidArgumentException", "Invalid NextToken.")

	// Tokens expire after 300 seconds (eddy's text; AWS's is not public).
	fc.Advance(301 * time.Second)
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{NextToken: p2.NextToken})
	wantErr(t, err, "ExpiredNextTokenException", "The NextToken has expired. NextTokens are valid for 300 seconds.")

	// A token does not outlive its stream's incarnation.
	p1, err = k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name, MaxResults: aws.Int32(1)})
	noErr(t, err)
	_, err = k.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: name})
	noErr(t, err)
	fc.Advance(time.Second)
	createFake(t, e, fc, "s", 5)
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{NextToken: p1.NextToken})
	wantErr(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")
}

// TestListShardsFilters checks every ShardFilter type on a stream without
// resharding, where every filter but AFTER_SHARD_ID lists every shard, and
// the filters' argument errors.
func TestListShardsFilters(t *testing.T) {
	e, fc := startFake(t)
	k := e.Kinesis
	createFake(t, e, fc, "s", 3)
	fc.Advance(time.Hour)
	list := func(f *types.ShardFilter, max int32) *kinesis.ListShardsOutput {
		t.Helper()
		in := &kinesis.ListShardsInput{StreamName: aws.String("s"), ShardFilter: f}
		if max > 0 {
			in.MaxResults = aws.Int32(max)
		}
		out, err := k.ListShards(ctx, in)
		noErr(t, err)
		return out
	}
	every := ids(0, 1, 2)
	for _, f := range []*types.ShardFilter{
		{Type: types.ShardFilterTypeAtLatest},
		{Type: types.ShardFilterTypeAtTrimHorizon},
		{Type: types.ShardFilterTypeFromTrimHorizon},
		{Type: types.ShardFilterTypeAtTimestamp, Timestamp: aws.Time(t0.Add(30 * time.Minute))},
		// Before the stream (and before the trim horizon) counts as the
		// trim horizon.
		{Type: types.ShardFilterTypeAtTimestamp, Timestamp: aws.Time(t0.Add(-48 * time.Hour))},
		{Type: types.ShardFilterTypeFromTimestamp, Timestamp: aws.Time(t0.Add(30 * time.Minute))},
		{Type: types.ShardFilterTypeFromTimestamp, Timestamp: aws.Time(t0.Add(-48 * time.Hour))},
		{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String("shardId-000000000000")},
	} {
		want := every
		if f.Type == types.ShardFilterTypeAfterShardId {
			want = ids(1, 2)
		}
		if got := shardIDs(list(f, 0).Shards); !slices.Equal(got, want) {
			t.Errorf("%s: %v", f.Type, got)
		}
		// The filter of the first page applies to the later ones.
		var paged []string
		out := list(f, 1)
		paged = append(paged, shardIDs(out.Shards)...)
		for out.NextToken != nil {
			var err error
			out, err = k.ListShards(ctx, &kinesis.ListShardsInput{NextToken: out.NextToken, MaxResults: aws.Int32(1)})
			noErr(t, err)
			paged = append(paged, shardIDs(out.Shards)...)
		}
		if !slices.Equal(paged, want) {
			t.Errorf("%s one at a time: %v", f.Type, paged)
		}
	}
	// AFTER_SHARD_ID and ExclusiveStartShardId together: the later start wins.
	out, err := k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), ExclusiveStartShardId: aws.String("shardId-000000000001"),
		ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String("shardId-000000000000")}})
	noErr(t, err)
	if got := shardIDs(out.Shards); !slices.Equal(got, ids(2)) {
		t.Errorf("AFTER_SHARD_ID with ExclusiveStartShardId: %v", got)
	}

	// eddy's texts (AWS's are not public).
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId}})
	wantErr(t, err, "InvalidArgumentException", "ShardId must be specified in the ShardFilter when its Type is AFTER_SHARD_ID.")
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp}})
	wantErr(t, err, "InvalidArgumentException", "Timestamp must be specified in the ShardFilter when its Type is AT_TIMESTAMP.")
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp}})
	wantErr(t, err, "InvalidArgumentException", "Timestamp must be specified in the ShardFilter when its Type is FROM_TIMESTAMP.")
	// An unparseable shard id in the filter: AWS's shard text with the raw id.
	_, err = k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String("shardId-x")}})
	wantErr(t, err, "ResourceNotFoundException", "Could not find shard shardId-x in stream s under account 000000000000.")
	code, b := callJSON(t, e, "ListShards", `{"StreamName":"s","ShardFilter":{"Type":"SOMETIMES"}}`)
	wantJSONErr(t, code, b, "ValidationException", "1 validation error detected: Value 'SOMETIMES' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]")
	code, b = callJSON(t, e, "ListShards", `{"StreamName":"s","ShardFilter":{}}`)
	wantJSONErr(t, code, b, "ValidationException", "1 validation error detected: Value null at 'shardFilter.type' failed to satisfy constraint: Member must not be null")
}

// TestListShardsPageCap: at most 1,000 shards per page, whatever
// MaxResults says.
func TestListShardsPageCap(t *testing.T) {
	e, fc := startFake(t)
	k := e.Kinesis
	createFake(t, e, fc, "s", 1001)
	for _, max := range []*int32{nil, aws.Int32(5000)} {
		out, err := k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), MaxResults: max})
		noErr(t, err)
		if len(out.Shards) != 1000 || out.NextToken == nil || *out.Shards[999].ShardId != shardID(999) {
			t.Fatalf("MaxResults %v: %d shards", max, len(out.Shards))
		}
		next, err := k.ListShards(ctx, &kinesis.ListShardsInput{NextToken: out.NextToken, MaxResults: max})
		noErr(t, err)
		if len(next.Shards) != 1 || *next.Shards[0].ShardId != shardID(1000) || next.NextToken != nil {
			t.Fatalf("second page: %v", shardIDs(next.Shards))
		}
	}
}
