package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/node"
	"github.com/eddy-streams/eddy/internal/testenv"
)

// Hash key ranges of new streams: floor(2^128/N) per shard, the last shard
// absorbing the remainder (AWS-observed for N=1 and N=3; the rest follow the
// same rule).
var hashRanges = map[int32][][2]string{
	1: {{"0", "340282366920938463463374607431768211455"}},
	2: {{"0", "170141183460469231731687303715884105727"}, {"170141183460469231731687303715884105728", "340282366920938463463374607431768211455"}},
	3: {{"0", "113427455640312821154458202477256070484"}, {"113427455640312821154458202477256070485", "226854911280625642308916404954512140969"},
		{"226854911280625642308916404954512140970", "340282366920938463463374607431768211455"}},
	4: {{"0", "85070591730234615865843651857942052863"}, {"85070591730234615865843651857942052864", "170141183460469231731687303715884105727"},
		{"170141183460469231731687303715884105728", "255211775190703847597530955573826158591"}, {"255211775190703847597530955573826158592", "340282366920938463463374607431768211455"}},
	5: {{"0", "68056473384187692692674921486353642290"}, {"68056473384187692692674921486353642291", "136112946768375385385349842972707284581"},
		{"136112946768375385385349842972707284582", "204169420152563078078024764459060926872"}, {"204169420152563078078024764459060926873", "272225893536750770770699685945414569163"},
		{"272225893536750770770699685945414569164", "340282366920938463463374607431768211455"}},
	7: {{"0", "48611766702991209066196372490252601635"}, {"48611766702991209066196372490252601636", "97223533405982418132392744980505203271"},
		{"97223533405982418132392744980505203272", "145835300108973627198589117470757804907"}, {"145835300108973627198589117470757804908", "194447066811964836264785489961010406543"},
		{"194447066811964836264785489961010406544", "243058833514956045330981862451263008179"}, {"243058833514956045330981862451263008180", "291670600217947254397178234941515609815"},
		{"291670600217947254397178234941515609816", "340282366920938463463374607431768211455"}},
}

func TestCreateStreamHashRanges(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	for n, want := range hashRanges {
		name := "ranges-" + itoa(int(n))
		create(t, e, k, name, n)
		out, err := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)})
		noErr(t, err)
		d := out.StreamDescription
		if len(d.Shards) != len(want) || *d.HasMoreShards {
			t.Fatalf("%d shards: got %d, HasMoreShards %v", n, len(d.Shards), *d.HasMoreShards)
		}
		for i, sh := range d.Shards {
			if *sh.ShardId != shardID(i) {
				t.Errorf("N=%d shard %d: id %s", n, i, *sh.ShardId)
			}
			if got := [2]string{*sh.HashKeyRange.StartingHashKey, *sh.HashKeyRange.EndingHashKey}; got != want[i] {
				t.Errorf("N=%d shard %d: range %v, want %v", n, i, got, want[i])
			}
			seq := *sh.SequenceNumberRange.StartingSequenceNumber
			if len(seq) != 56 || strings.Trim(seq, "0123456789") != "" {
				t.Errorf("N=%d shard %d: StartingSequenceNumber %q is not 56 digits", n, i, seq)
			}
			if sh.SequenceNumberRange.EndingSequenceNumber != nil || sh.ParentShardId != nil || sh.AdjacentParentShardId != nil {
				t.Errorf("N=%d shard %d: a new shard has lineage or an end: %+v", n, i, sh)
			}
		}
	}
}

func TestCreateStreamDefaults(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	before := time.Now().Add(-time.Second)
	create(t, e, k, "s", 2)
	d, err := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")})
	noErr(t, err)
	sd := d.StreamDescription
	if *sd.StreamName != "s" || *sd.StreamARN != "arn:aws:kinesis:us-east-1:000000000000:stream/s" ||
		sd.StreamStatus != types.StreamStatusActive || *sd.RetentionPeriodHours != 24 ||
		sd.EncryptionType != types.EncryptionTypeNone || sd.KeyId != nil ||
		sd.StreamModeDetails == nil || sd.StreamModeDetails.StreamMode != types.StreamModeProvisioned ||
		len(sd.EnhancedMonitoring) != 1 || len(sd.EnhancedMonitoring[0].ShardLevelMetrics) != 0 {
		t.Fatalf("description: %+v", sd)
	}
	if ts := *sd.StreamCreationTimestamp; ts.Before(before) || ts.After(time.Now().Add(time.Second)) {
		t.Fatalf("StreamCreationTimestamp %v", ts)
	}
	s, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	noErr(t, err)
	ss := s.StreamDescriptionSummary
	if *ss.OpenShardCount != 2 || *ss.ConsumerCount != 0 || *ss.MaxRecordSizeInKiB != 1024 || *ss.RetentionPeriodHours != 24 ||
		ss.StreamId == nil || ss.WarmThroughput != nil || ss.EncryptionType != types.EncryptionTypeNone || ss.KeyId != nil ||
		len(ss.EnhancedMonitoring) != 1 || !ss.StreamCreationTimestamp.Equal(*sd.StreamCreationTimestamp) {
		t.Fatalf("summary: %+v", ss)
	}

	// CreateStream answers with an empty body; KeyId stays absent on the wire.
	code, body := callJSON(t, e, "CreateStream", `{"StreamName":"raw","ShardCount":1}`)
	if code != 200 || body != nil {
		t.Fatalf("CreateStream: %d %v", code, body)
	}
	waitActive(t, k, "raw")
	_, body = callJSON(t, e, "DescribeStream", `{"StreamName":"raw"}`)
	desc := body["StreamDescription"].(map[string]any)
	if _, ok := desc["KeyId"]; ok {
		t.Fatalf("KeyId present for an unencrypted stream: %v", desc)
	}
}

func TestCreateStreamModes(t *testing.T) {
	e := start(t)
	k := e.Kinesis

	// Neither ShardCount nor StreamModeDetails: an on-demand stream with 4
	// shards, as AWS does.
	_, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("default")})
	noErr(t, err)
	_, err = k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	noErr(t, err)
	_, err = k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("prov"), ShardCount: aws.Int32(3),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
	noErr(t, err)
	for name, want := range map[string]types.StreamMode{"default": types.StreamModeOnDemand, "od": types.StreamModeOnDemand, "prov": types.StreamModeProvisioned} {
		waitActive(t, k, name)
		d, err := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)})
		noErr(t, err)
		shards := 4
		if want == types.StreamModeProvisioned {
			shards = 3
		}
		if d.StreamDescription.StreamModeDetails.StreamMode != want || len(d.StreamDescription.Shards) != shards {
			t.Errorf("%s: mode %s, %d shards", name, d.StreamDescription.StreamModeDetails.StreamMode, len(d.StreamDescription.Shards))
		}
	}

	// AWS's text (seen through CloudFormation).
	_, err = k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("bad"), ShardCount: aws.Int32(1),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	wantErr(t, err, "InvalidArgumentException", "ShardCount is not expected when StreamMode=ON_DEMAND")
	// eddy: LocalStack's wording; AWS's is not public.
	_, err = k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("bad"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}})
	wantErr(t, err, "InvalidArgumentException", "ShardCount cannot be null when creating stream in PROVISIONED StreamMode")
	// eddy.
	_, err = k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("bad"), ShardCount: aws.Int32(1), WarmThroughputMiBps: aws.Int32(10)})
	wantErr(t, err, "InvalidArgumentException", "WarmThroughputMiBps can only be set for streams in ON_DEMAND mode.")
	_, err = k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("bad")})
	wantErr(t, err, "ResourceNotFoundException", "Stream bad under account 000000000000 not found.")

	// An on-demand stream reports its warm throughput in the summary.
	s, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("od")})
	noErr(t, err)
	if s.StreamDescriptionSummary.WarmThroughput == nil {
		t.Fatalf("on-demand summary without WarmThroughput: %+v", s.StreamDescriptionSummary)
	}
}

func TestCreateStreamTagsAndMaxRecordSize(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	_, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1),
		Tags: map[string]string{"b": "2", "a": "1", "empty": ""}, MaxRecordSizeInKiB: aws.Int32(2048)})
	noErr(t, err)
	waitActive(t, k, "s")
	tags, err := k.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("s")})
	noErr(t, err)
	if got := tagString(tags.Tags); got != "a=1,b=2,empty=" || *tags.HasMoreTags {
		t.Fatalf("tags %s more=%v", got, *tags.HasMoreTags)
	}
	s, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	noErr(t, err)
	if *s.StreamDescriptionSummary.MaxRecordSizeInKiB != 2048 {
		t.Fatalf("MaxRecordSizeInKiB %d", *s.StreamDescriptionSummary.MaxRecordSizeInKiB)
	}

	// Bad tags or sizes create nothing.
	_, err = k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t"), ShardCount: aws.Int32(1), Tags: map[string]string{"a;b": "1"}})
	wantErr(t, err, "InvalidArgumentException", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.")
	many := map[string]string{}
	for i := 0; i < 51; i++ {
		many["k"+itoa(i)] = "v"
	}
	_, err = k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t"), ShardCount: aws.Int32(1), Tags: many})
	wantErr(t, err, "InvalidArgumentException", "Failed to add tags to stream t under account 000000000000 because a given stream cannot have more than 50 tags associated with it.")
	_, err = k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t"), ShardCount: aws.Int32(1), MaxRecordSizeInKiB: aws.Int32(1023)})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value '1023' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024")
	_, err = k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t"), ShardCount: aws.Int32(1), MaxRecordSizeInKiB: aws.Int32(10241)})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value '10241' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value less than or equal to 10240")
	_, err = k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("t")})
	wantErr(t, err, "ResourceNotFoundException", "Stream t under account 000000000000 not found.")
}

func TestCreateStreamErrors(t *testing.T) {
	e := startWith(t, testenv.Options{Configure: func(c *node.Config) {
		c.Streams.ShardLimit = 10
		c.Streams.OnDemandStreamLimit = 1
	}})
	k := e.Kinesis
	create(t, e, k, "s", 8)
	_, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	wantErr(t, err, "ResourceInUseException", "Stream s under account 000000000000 already exists.")
	_, err = k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t"), ShardCount: aws.Int32(3)})
	wantErr(t, err, "LimitExceededException", "This request would exceed the shard limit for the account 000000000000 in us-east-1. "+
		"Current shard count for the account: 8. Limit: 10. Number of additional shards that would have resulted from this request: 3. "+
		"Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.")
	create(t, e, k, "t", 2) // exactly at the limit

	lim, err := k.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	noErr(t, err)
	if *lim.ShardLimit != 10 || *lim.OpenShardCount != 10 || *lim.OnDemandStreamCount != 0 || *lim.OnDemandStreamCountLimit != 1 {
		t.Fatalf("limits %+v", lim)
	}
	// The shard limit is per account and region: another region has room.
	other := client(e, "", "eu-west-1")
	create(t, e, other, "s", 10)

	// On-demand streams count against their own limit (their 4 shards need
	// room under the shard limit too, so use the other region's neighbour).
	od := client(e, "", "ap-south-1")
	_, err = od.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od1"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	noErr(t, err)
	_, err = od.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od2"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	wantErr(t, err, "LimitExceededException", "This request would exceed the limit on the number of On-Demand streams for the account 000000000000 in ap-south-1. Current On-Demand streams count: 1. Limit: 1.")
	waitActive(t, od, "od1")
	lim, err = od.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	noErr(t, err)
	if *lim.OnDemandStreamCount != 1 {
		t.Fatalf("on-demand count %+v", lim)
	}
}

func tagString(tags []types.Tag) string {
	var parts []string
	for _, t := range tags {
		parts = append(parts, *t.Key+"="+aws.ToString(t.Value))
	}
	return strings.Join(parts, ",")
}
