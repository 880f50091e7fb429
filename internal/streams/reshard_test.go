package streams_test

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/testenv"
)

func createActive(t *testing.T, e *testenv.Env, name string, shards int32) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.Kinesis.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, e, name)
}

func waitActive(t *testing.T, e *testenv.Env, name string) {
	t.Helper()
	for i := 0; ; i++ {
		out, err := e.Kinesis.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return
		}
		if i > 2000 {
			t.Fatalf("stream %s stuck in %s", name, out.StreamDescriptionSummary.StreamStatus)
		}
		time.Sleep(time.Millisecond)
	}
}

func listShards(t *testing.T, e *testenv.Env, name string) []types.Shard {
	t.Helper()
	out, err := e.Kinesis.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Shards
}

func shardNum(id string) int {
	n, _ := strconv.Atoi(id[len("shardId-"):])
	return n
}

func TestUpdateShardCountMatchesAWS(t *testing.T) {
	e := testenv.Start(t, testenv.Options{})
	// Totals (open + closed shards) AWS produces for uniform targets.
	for _, c := range []struct{ from, to, total int }{{4, 3, 11}, {4, 5, 15}, {2, 4, 6}, {4, 2, 6}, {4, 8, 12}, {3, 6, 9}, {1, 2, 3}} {
		name := fmt.Sprintf("s%dto%d", c.from, c.to)
		createActive(t, e, name, int32(c.from))
		out, err := e.Kinesis.UpdateShardCount(context.Background(), &kinesis.UpdateShardCountInput{StreamName: aws.String(name), TargetShardCount: aws.Int32(int32(c.to)), ScalingType: types.ScalingTypeUniformScaling})
		if err != nil {
			t.Fatal(err)
		}
		if *out.CurrentShardCount != int32(c.from) || *out.TargetShardCount != int32(c.to) {
			t.Fatalf("%s: output %+v", name, out)
		}
		waitActive(t, e, name)
		shards := listShards(t, e, name)
		if len(shards) != c.total {
			t.Errorf("%s: %d shards in total, AWS has %d", name, len(shards), c.total)
		}
		// The open shards cover the space in equal parts.
		var open []types.Shard
		for _, sh := range shards {
			if sh.SequenceNumberRange.EndingSequenceNumber == nil {
				open = append(open, sh)
			}
		}
		if len(open) != c.to {
			t.Fatalf("%s: %d open shards", name, len(open))
		}
		sort.Slice(open, func(i, j int) bool {
			return bigOf(*open[i].HashKeyRange.StartingHashKey).Cmp(bigOf(*open[j].HashKeyRange.StartingHashKey)) < 0
		})
		two128 := new(big.Int).Lsh(big.NewInt(1), 128)
		width := new(big.Int).Div(two128, big.NewInt(int64(c.to)))
		prevEnd := big.NewInt(-1)
		for _, sh := range open {
			start, end := bigOf(*sh.HashKeyRange.StartingHashKey), bigOf(*sh.HashKeyRange.EndingHashKey)
			if new(big.Int).Add(prevEnd, big.NewInt(1)).Cmp(start) != 0 {
				t.Fatalf("%s: gap or overlap before %s", name, *sh.ShardId)
			}
			w := new(big.Int).Sub(end, start)
			w.Add(w, big.NewInt(1))
			if diff := new(big.Int).Sub(w, width); diff.CmpAbs(big.NewInt(1<<21)) > 0 {
				t.Fatalf("%s: %s is %s keys wide, want about %s", name, *sh.ShardId, w, width)
			}
			prevEnd = end
		}
		if prevEnd.Cmp(new(big.Int).Sub(two128, big.NewInt(1))) != 0 {
			t.Fatalf("%s: open shards end at %s", name, prevEnd)
		}
	}
	// 4 -> 3 takes AWS's exact steps.
	want := map[string][2]string{
		"shardId-000000000004": {"shardId-000000000001", ""},
		"shardId-000000000006": {"shardId-000000000000", "shardId-000000000004"},
		"shardId-000000000009": {"shardId-000000000005", "shardId-000000000007"},
		"shardId-000000000010": {"shardId-000000000008", "shardId-000000000003"},
	}
	for _, sh := range listShards(t, e, "s4to3") {
		if w, ok := want[*sh.ShardId]; ok {
			if aws.ToString(sh.ParentShardId) != w[0] || aws.ToString(sh.AdjacentParentShardId) != w[1] {
				t.Errorf("%s: parents %v %v, want %v", *sh.ShardId, aws.ToString(sh.ParentShardId), aws.ToString(sh.AdjacentParentShardId), w)
			}
		}
	}
}

func bigOf(s string) *big.Int {
	b, _ := new(big.Int).SetString(s, 10)
	return b
}

// TestReshardingReadsEveryRecordOnce writes records before, during and
// after a sequence of splits, merges and rescalings, then reads the stream
// the way KCL does (parents before children, following ChildShards) and
// expects every acknowledged record exactly once, in order per key.
func TestReshardingReadsEveryRecordOnce(t *testing.T) {
	e := testenv.Start(t, testenv.Options{})
	ctx := context.Background()
	k := e.Kinesis
	name := aws.String("reshard")
	createActive(t, e, "reshard", 2)
	seq := 0
	put := func(n int) {
		entries := make([]types.PutRecordsRequestEntry, n)
		for i := range entries {
			entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(strconv.Itoa(seq % 17)), Data: []byte(strconv.Itoa(seq))}
			seq++
		}
		out, err := k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: entries})
		if err != nil || *out.FailedRecordCount != 0 {
			t.Fatalf("put: %v", err)
		}
	}
	put(50)
	if _, err := k.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: name, ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("85070591730234615865843651857942052864")}); err != nil {
		t.Fatal(err)
	}
	put(50) // while UPDATING
	waitActive(t, e, "reshard")
	put(50)
	if _, err := k.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: name, ShardToMerge: aws.String("shardId-000000000003"), AdjacentShardToMerge: aws.String("shardId-000000000001")}); err != nil {
		t.Fatal(err)
	}
	put(50)
	waitActive(t, e, "reshard")
	put(50)
	if _, err := k.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: name, TargetShardCount: aws.Int32(3), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatal(err)
	}
	put(50)
	waitActive(t, e, "reshard")
	put(50)

	// Read like KCL: start from shards without parents, follow children
	// once all their parents are done.
	shards := listShards(t, e, "reshard")
	done := map[string]bool{}
	got := map[string][]int{} // partition key -> values in read order
	total := 0
	for len(done) < len(shards) {
		progressed := false
		for _, sh := range shards {
			id := *sh.ShardId
			if done[id] || sh.ParentShardId != nil && !done[*sh.ParentShardId] || sh.AdjacentParentShardId != nil && !done[*sh.AdjacentParentShardId] {
				continue
			}
			it, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String(id), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
			if err != nil {
				t.Fatal(err)
			}
			iter := it.ShardIterator
			for iter != nil {
				out, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range out.Records {
					v, _ := strconv.Atoi(string(r.Data))
					got[*r.PartitionKey] = append(got[*r.PartitionKey], v)
					total++
				}
				if out.NextShardIterator != nil && len(out.Records) == 0 {
					break // open shard at its tip
				}
				if out.NextShardIterator == nil && len(out.ChildShards) == 0 {
					t.Fatalf("%s: closed without ChildShards", id)
				}
				iter = out.NextShardIterator
			}
			done[id] = true
			progressed = true
		}
		if !progressed {
			t.Fatal("lineage walk stuck")
		}
	}
	if total != seq {
		t.Fatalf("read %d records, wrote %d", total, seq)
	}
	for pk, vals := range got {
		if !sort.IntsAreSorted(vals) {
			t.Fatalf("key %s out of order: %v", pk, vals)
		}
	}
}

func TestReshardingErrors(t *testing.T) {
	fake := clock.NewFake(time.Now())
	e := testenv.Start(t, testenv.Options{Clock: fake})
	ctx := context.Background()
	k := e.Kinesis
	if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("errs"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	fake.Advance(time.Second)
	name := aws.String("errs")
	expect := func(err error, want string) {
		t.Helper()
		if err == nil || !contains(err.Error(), want) {
			t.Fatalf("got %v, want %q", err, want)
		}
	}
	_, err := k.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: name, ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1")})
	expect(err, "NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 in stream errs under account 000000000000 is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's EndingHashKey 170141183460469231731687303715884105727.")
	_, err = k.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: name, ShardToSplit: aws.String("shardId-000000000009"), NewStartingHashKey: aws.String("100")})
	expect(err, "Could not find shard shardId-000000000009 in stream errs under account 000000000000.")
	_, err = k.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: name, ShardToSplit: aws.String("x-y"), NewStartingHashKey: aws.String("100")})
	expect(err, "Could not find shard x-y in stream errs under account 000000000000.")
	_, err = k.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: name, ShardToMerge: aws.String("shardId-000000000001"), AdjacentShardToMerge: aws.String("shardId-000000000000")})
	expect(err, "Shards shardId-000000000001 and shardId-000000000000 in stream errs under account 000000000000 are not an adjacent pair of shards eligible for merging")
	if _, err := k.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: name, ShardToSplit: aws.String("0"), NewStartingHashKey: aws.String("100")}); err != nil {
		t.Fatal(err)
	}
	_, err = k.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: name, ShardToSplit: aws.String("1"), NewStartingHashKey: aws.String("170141183460469231731687303715884105900")})
	var inUse *types.ResourceInUseException
	if !asErr(err, &inUse) || !contains(err.Error(), "not ACTIVE, instead in state UPDATING") {
		t.Fatalf("split while UPDATING: %v", err)
	}
	fake.Advance(time.Second)
	_, err = k.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: name, ShardToSplit: aws.String("0"), NewStartingHashKey: aws.String("100")})
	expect(err, "Shard shardId-000000000000 in stream errs under account 000000000000 has already been merged or split, and thus is not eligible for merging or splitting.")
	_, err = k.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: name, TargetShardCount: aws.Int32(7), ScalingType: types.ScalingTypeUniformScaling})
	expect(err, "UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: 3, Target shard count: 7")
	_, err = k.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: name, TargetShardCount: aws.Int32(1), ScalingType: types.ScalingTypeUniformScaling})
	expect(err, "UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: 3, Target shard count: 1")
}

// TestUpdateShardCountDailyLimit: at most 10 scalings in a rolling 24
// hours per stream; the window moves with the clock.
func TestUpdateShardCountDailyLimit(t *testing.T) {
	fake := clock.NewFake(time.Now())
	e := testenv.Start(t, testenv.Options{Clock: fake})
	ctx := context.Background()
	k := e.Kinesis
	if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("daily"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	fake.Advance(time.Second)
	scale := func(to int32) error {
		_, err := k.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("daily"), TargetShardCount: aws.Int32(to), ScalingType: types.ScalingTypeUniformScaling})
		fake.Advance(time.Minute)
		return err
	}
	for i := 0; i < 10; i++ {
		if err := scale(int32(1 + (i+1)%2)); err != nil {
			t.Fatalf("scaling %d: %v", i+1, err)
		}
	}
	var le *types.LimitExceededException
	if err := scale(2); !asErr(err, &le) || !contains(err.Error(), "more than 10 times in a rolling 24 hour period") {
		t.Fatalf("11th scaling within 24 hours: %v", err)
	}
	fake.Advance(24 * time.Hour)
	if err := scale(2); err != nil {
		t.Fatalf("scaling after the window moved: %v", err)
	}
}
