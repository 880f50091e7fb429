package e2e

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func shardIDs(shards []types.Shard) []string {
	var ids []string
	for _, s := range shards {
		ids = append(ids, *s.ShardId)
	}
	return ids
}

func TestDescribeStreamPaging(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 5)
	page := func(limit int32, after string) ([]string, bool) {
		t.Helper()
		in := &kinesis.DescribeStreamInput{StreamName: aws.String("s")}
		if limit > 0 {
			in.Limit = aws.Int32(limit)
		}
		if after != "" {
			in.ExclusiveStartShardId = aws.String(after)
		}
		out, err := k.DescribeStream(ctx, in)
		noErr(t, err)
		return shardIDs(out.StreamDescription.Shards), *out.StreamDescription.HasMoreShards
	}
	for _, c := range []struct {
		limit int32
		after string
		want  []int
		more  bool
	}{
		{0, "", []int{0, 1, 2, 3, 4}, false},
		{2, "", []int{0, 1}, true},
		{5, "", []int{0, 1, 2, 3, 4}, false},
		{6, "", []int{0, 1, 2, 3, 4}, false},
		{2, "shardId-000000000001", []int{2, 3}, true},
		{2, "shardId-000000000003", []int{4}, false},
		{0, "shardId-000000000004", nil, false},
		// Loose shard ids are normalized as everywhere else.
		{1, "2", []int{3}, true},
		// An id past the last shard need not exist.
		{0, "shardId-000000000099", nil, false},
	} {
		ids, more := page(c.limit, c.after)
		var want []string
		for _, i := range c.want {
			want = append(want, shardID(i))
		}
		if !slices.Equal(ids, want) || more != c.more {
			t.Errorf("Limit %d after %q: %v more=%v, want %v more=%v", c.limit, c.after, ids, more, want, c.more)
		}
	}

	// The SDK's paginator follows ExclusiveStartShardId and HasMoreShards.
	p := kinesis.NewDescribeStreamPaginator(k, &kinesis.DescribeStreamInput{StreamName: aws.String("s"), Limit: aws.Int32(2)})
	var all []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		noErr(t, err)
		all = append(all, shardIDs(out.StreamDescription.Shards)...)
	}
	if len(all) != 5 || all[4] != shardID(4) {
		t.Fatalf("paginator: %v", all)
	}

	// Limit is 1..10000 in the model.
	code, body := callJSON(t, e, "DescribeStream", `{"StreamName":"s","Limit":0}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
	code, body = callJSON(t, e, "DescribeStream", `{"StreamName":"s","Limit":10001}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000")
}

// TestDescribeStreamDefaultLimit: without Limit (or above 100) at most 100
// shards come back.
func TestDescribeStreamDefaultLimit(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 101)
	for _, limit := range []*int32{nil, aws.Int32(1000)} {
		out, err := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s"), Limit: limit})
		noErr(t, err)
		if d := out.StreamDescription; len(d.Shards) != 100 || !*d.HasMoreShards || *d.Shards[99].ShardId != shardID(99) {
			t.Fatalf("limit %v: %d shards, more=%v", limit, len(d.Shards), *d.HasMoreShards)
		}
	}
	out, err := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s"), ExclusiveStartShardId: aws.String(shardID(99))})
	noErr(t, err)
	if ids := shardIDs(out.StreamDescription.Shards); len(ids) != 1 || ids[0] != shardID(100) || *out.StreamDescription.HasMoreShards {
		t.Fatalf("last page %v", ids)
	}
	s, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	noErr(t, err)
	if *s.StreamDescriptionSummary.OpenShardCount != 101 {
		t.Fatalf("OpenShardCount %d", *s.StreamDescriptionSummary.OpenShardCount)
	}
}

func TestListStreams(t *testing.T) {
	e, fc := startFake(t)
	k := e.Kinesis
	names := []string{"a", "b", "c", "d", "e"}
	for _, n := range []string{"c", "a", "e", "b", "d"} {
		createFake(t, e, fc, n, 1)
	}
	all, err := k.ListStreams(ctx, &kinesis.ListStreamsInput{})
	noErr(t, err)
	if !slices.Equal(all.StreamNames, names) || *all.HasMoreStreams || all.NextToken != nil || len(all.StreamSummaries) != 5 {
		t.Fatalf("ListStreams: %v more=%v token=%v", all.StreamNames, *all.HasMoreStreams, all.NextToken)
	}
	for i, s := range all.StreamSummaries {
		if *s.StreamName != names[i] || *s.StreamARN != "arn:aws:kinesis:us-east-1:000000000000:stream/"+names[i] ||
			s.StreamStatus != types.StreamStatusActive || s.StreamModeDetails.StreamMode != types.StreamModeProvisioned ||
			s.StreamCreationTimestamp == nil || s.StreamCreationTimestamp.Before(t0) {
			t.Fatalf("summary %d: %+v", i, s)
		}
	}

	// Limit + NextToken.
	p1, err := k.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(2)})
	noErr(t, err)
	if !slices.Equal(p1.StreamNames, names[:2]) || !*p1.HasMoreStreams || p1.NextToken == nil {
		t.Fatalf("page 1: %v %v %v", p1.StreamNames, *p1.HasMoreStreams, p1.NextToken)
	}
	p2, err := k.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(2), NextToken: p1.NextToken})
	noErr(t, err)
	if !slices.Equal(p2.StreamNames, names[2:4]) || !*p2.HasMoreStreams {
		t.Fatalf("page 2: %v", p2.StreamNames)
	}
	p3, err := k.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: p2.NextToken})
	noErr(t, err)
	if !slices.Equal(p3.StreamNames, names[4:]) || *p3.HasMoreStreams || p3.NextToken != nil {
		t.Fatalf("page 3: %v", p3.StreamNames)
	}

	// ExclusiveStartStreamName starts strictly after a name that need not
	// exist.
	for after, want := range map[string][]string{"b": names[2:], "bb": names[2:], "e": {}, "": names} {
		out, err := k.ListStreams(ctx, &kinesis.ListStreamsInput{ExclusiveStartStreamName: aws.String(after)})
		if after == "" {
			// ExclusiveStartStreamName has a minimum length of 1.
			wantErr(t, err, "ValidationException", "")
			continue
		}
		noErr(t, err)
		if !slices.Equal(out.StreamNames, want) && !(len(want) == 0 && len(out.StreamNames) == 0) {
			t.Errorf("after %q: %v", after, out.StreamNames)
		}
	}

	// The SDK paginator.
	var got []string
	p := kinesis.NewListStreamsPaginator(k, &kinesis.ListStreamsInput{Limit: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		noErr(t, err)
		got = append(got, out.StreamNames...)
		pages++
	}
	if !slices.Equal(got, names) || pages != 3 {
		t.Fatalf("paginator: %v in %d pages", got, pages)
	}

	// eddy: AWS's texts for these token errors are not public.
	_, err = k.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: p1.NextToken, ExclusiveStartStreamName: aws.String("a")})
	wantErr(t, err, "InvalidArgumentException", "NextToken and ExclusiveStartStreamName cannot be provided together.")
	tampered := []byte(*p1.NextToken)
	tampered[10] ^= 1
	_, err = k.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: aws.String(string(tampered))})
	wantErr(t, err, "InvalidArgumentException", "Invalid NextToken.")
	_, err = k.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: aws.String("garbage")})
	wantErr(t, err, "InvalidArgumentException", "Invalid NextToken.")
	// A token is only good in the namespace that got it.
	_, err = client(e, "111111111111", "").ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: p1.NextToken})
	wantErr(t, err, "InvalidArgumentException", "Invalid NextToken.")
	// Tokens live 300 seconds.
	fc.Advance(300 * time.Second)
	_, err = k.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: p2.NextToken})
	noErr(t, err)
	fc.Advance(time.Second)
	_, err = k.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: p2.NextToken})
	wantErr(t, err, "ExpiredNextTokenException", "The NextToken has expired. NextTokens are valid for 300 seconds.")

	// Limit bounds.
	code, body := callJSON(t, e, "ListStreams", `{"Limit":0}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
	code, body = callJSON(t, e, "ListStreams", `{"Limit":10001}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000")
	// An empty account lists nothing, with the required members present.
	code, body = callJSON(t, e, "ListStreams", `{"ExclusiveStartStreamName":"z"}`)
	if code != 200 || len(body["StreamNames"].([]any)) != 0 || body["HasMoreStreams"] != false {
		t.Fatalf("empty listing: %d %v", code, body)
	}
	if _, ok := body["NextToken"]; ok {
		t.Fatalf("NextToken on the last page: %v", body)
	}
}

// TestListStreamsDefaultLimit: 100 names per page by default and at most.
func TestListStreamsDefaultLimit(t *testing.T) {
	e, fc := startFake(t)
	k := e.Kinesis
	for i := 0; i < 101; i++ {
		_, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s" + itoa(1000+i)), ShardCount: aws.Int32(1)})
		noErr(t, err)
	}
	fc.Advance(time.Second)
	for _, limit := range []*int32{nil, aws.Int32(10000)} {
		out, err := k.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: limit})
		noErr(t, err)
		if len(out.StreamNames) != 100 || !*out.HasMoreStreams || out.StreamNames[99] != "s1099" {
			t.Fatalf("limit %v: %d names, more=%v", limit, len(out.StreamNames), *out.HasMoreStreams)
		}
		next, err := k.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: out.NextToken})
		noErr(t, err)
		if !slices.Equal(next.StreamNames, []string{"s1100"}) || *next.HasMoreStreams {
			t.Fatalf("second page %v", next.StreamNames)
		}
	}
}
