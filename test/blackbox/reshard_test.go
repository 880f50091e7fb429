package blackbox

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// reshardBatch is python/reshard_reader.py's answer to a put command.
type reshardBatch struct {
	Phase, Before, After string
	OpenShards, Failed   int
	Records              []struct{ Data, ShardID, Seq string }
	Busy                 *serviceError
}

// reshardRead is python/reshard_reader.py's answer to read.
type reshardRead struct {
	Listed, Order []string
	Shards        map[string]struct {
		Records   []struct{ Data, Seq string }
		Responses []struct {
			Records         int
			HasNextIterator bool
			Behind          *int64
			ChildShards     *[]struct {
				ShardID                        string
				ParentShards                   []string
				StartingHashKey, EndingHashKey string
			}
		}
	}
}

// lineageShard is one shard of the test's lineage as ListShards shows it.
type lineageShard struct {
	ID, Parent, Adjacent string
	Start, End           string
	Open                 bool
}

// reshardLineage is what the test's reshardings leave: a 2-shard stream,
// shard 0 split at a quarter of the key space (2, 3), 2 and 3 merged back
// (4), UNIFORM_SCALING to 4 (each open shard split at its middle: 5 to 8),
// then to 3 (AWS's pattern for 4 -> 3: 6 splits into 9 and 10, 5+9 merge
// into 11, 7 splits into 12 and 13, 10+12 merge into 14, 13+8 into 15).
func reshardLineage() []lineageShard {
	r2, r3, r4 := wantRanges(2), wantRanges(3), wantRanges(4)
	sh := func(i int, parent, adjacent int, start, end string) lineageShard {
		s := lineageShard{ID: shardID(i), Start: start, End: end}
		if parent >= 0 {
			s.Parent = shardID(parent)
		}
		if adjacent >= 0 {
			s.Adjacent = shardID(adjacent)
		}
		return s
	}
	out := []lineageShard{
		sh(0, -1, -1, r2[0].StartingHashKey, r2[0].EndingKey),
		sh(1, -1, -1, r2[1].StartingHashKey, r2[1].EndingKey),
		sh(2, 0, -1, r4[0].StartingHashKey, r4[0].EndingKey),
		sh(3, 0, -1, r4[1].StartingHashKey, r4[1].EndingKey),
		sh(4, 2, 3, r2[0].StartingHashKey, r2[0].EndingKey),
		sh(5, 4, -1, r4[0].StartingHashKey, r4[0].EndingKey),
		sh(6, 4, -1, r4[1].StartingHashKey, r4[1].EndingKey),
		sh(7, 1, -1, r4[2].StartingHashKey, r4[2].EndingKey),
		sh(8, 1, -1, r4[3].StartingHashKey, r4[3].EndingKey),
		sh(9, 6, -1, r4[1].StartingHashKey, r3[0].EndingKey),
		sh(10, 6, -1, r3[1].StartingHashKey, r4[1].EndingKey),
		sh(11, 5, 9, r3[0].StartingHashKey, r3[0].EndingKey),
		sh(12, 7, -1, r4[2].StartingHashKey, r3[1].EndingKey),
		sh(13, 7, -1, r3[2].StartingHashKey, r4[2].EndingKey),
		sh(14, 10, 12, r3[1].StartingHashKey, r3[1].EndingKey),
		sh(15, 13, 8, r3[2].StartingHashKey, r3[2].EndingKey),
	}
	for _, i := range []int{11, 14, 15} {
		out[i].Open = true
	}
	return out
}

// cliListedShard is a shard in list-shards output.
type cliListedShard struct {
	ShardID               string `json:"ShardId"`
	ParentShardID         string `json:"ParentShardId"`
	AdjacentParentShardID string `json:"AdjacentParentShardId"`
	HashKeyRange          struct{ StartingHashKey, EndingHashKey string }
	SequenceNumberRange   struct{ StartingSequenceNumber, EndingSequenceNumber string }
}

// TestReshardingCLIBoto3 reshards a stream with the AWS CLI (split-shard,
// merge-shards, update-shard-count 2 -> 4 -> 3 with UNIFORM_SCALING) while
// boto3 writes before, during (UPDATING) and after each resharding, lists
// the shards with every --shard-filter type, and has boto3 read everything
// back following the lineage: each record exactly once, each partition key's
// records in write order, ChildShards and no NextShardIterator at the end of
// every closed shard. The server keeps streams UPDATING for 2 s: long
// enough for boto3 to write inside the window on a busy machine, short
// enough to keep the test at a few seconds.
func TestReshardingCLIBoto3(t *testing.T) {
	t.Parallel()
	id := identity{AccessKey: "AKIAEDDYBLACKBOX", Region: "eu-west-2", Account: "000000000000"}
	base := newCLI(t, id)
	env := clientEnv(t, id)
	python := boto3Python(t, env)
	srv := startServer(t, "--update-delay", "2s")
	c := base.at(srv.URL, "")
	const stream = "reshard"
	begin := time.Now()

	w := startLineClient(t, env, "", python, script(t, "python", "reshard_reader.py"),
		"--endpoint", srv.URL, "--stream", stream, "--shards", "2")
	var ready struct{ Ready string }
	w.recv(&ready)
	var batches []reshardBatch
	// put has boto3 write a batch once the stream is in status; during runs
	// meanwhile (the CLI command that makes the stream UPDATING).
	put := func(phase, status string, during func()) {
		t.Helper()
		w.send("put " + phase + " " + status)
		if during != nil {
			during()
		}
		var b reshardBatch
		w.recv(&b)
		batches = append(batches, b)
	}
	type shardCount struct {
		StreamName                          string
		CurrentShardCount, TargetShardCount int
	}
	var up, down shardCount

	put("before", "ACTIVE", nil)
	put("split", "UPDATING", func() {
		c.ok(nil, "split-shard", "--stream-name", stream, "--shard-to-split", shardID(0),
			"--new-starting-hash-key", wantRanges(4)[1].StartingHashKey)
	})
	put("after-split", "ACTIVE", nil)
	put("merge", "UPDATING", func() {
		c.ok(nil, "merge-shards", "--stream-name", stream, "--shard-to-merge", shardID(2), "--adjacent-shard-to-merge", shardID(3))
	})
	put("after-merge", "ACTIVE", nil)
	// The CLI sends ShardFilter timestamps in whole seconds: take the next
	// whole second after the merge. The scaling that follows closes shards
	// 500 ms after the CLI starts, at the earliest: start it no earlier
	// than 400 ms before that second.
	at := time.Now().Truncate(time.Second).Add(time.Second)
	time.Sleep(time.Until(at.Add(-400 * time.Millisecond)))
	put("scale-up", "UPDATING", func() {
		c.ok(&up, "update-shard-count", "--stream-name", stream, "--target-shard-count", "4", "--scaling-type", "UNIFORM_SCALING")
	})
	put("after-scale-up", "ACTIVE", nil)
	put("scale-down", "UPDATING", func() {
		c.ok(&down, "update-shard-count", "--stream-name", stream, "--target-shard-count", "3", "--scaling-type", "UNIFORM_SCALING")
	})
	put("after", "ACTIVE", nil)
	t.Logf("writes and reshardings took %s", time.Since(begin).Round(time.Millisecond))

	if up != (shardCount{stream, 2, 4}) || down != (shardCount{stream, 4, 3}) {
		t.Errorf("update-shard-count answered %+v and %+v; want %s from 2 to 4 and from 4 to 3", up, down, stream)
	}
	lineage := reshardLineage()
	checkReshardBatches(t, batches, lineage, id, stream)

	// Every --shard-filter type, at once: each CLI start costs most of a
	// second.
	ids := func(idx ...int) []string {
		var out []string
		for _, i := range idx {
			out = append(out, shardID(i))
		}
		return out
	}
	stamp := at.UTC().Format(time.RFC3339)
	filters := []struct {
		filter string
		want   []string
	}{
		{"Type=FROM_TRIM_HORIZON", ids(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)},
		{"Type=AT_TRIM_HORIZON", ids(0, 1)},
		{"Type=AT_LATEST", ids(11, 14, 15)},
		{"Type=AFTER_SHARD_ID,ShardId=" + shardID(10), ids(11, 12, 13, 14, 15)},
		// Open at the second between the merge and the scalings.
		{"Type=AT_TIMESTAMP,Timestamp=" + stamp, ids(1, 4)},
		// Closed at or after it, or open.
		{"Type=FROM_TIMESTAMP,Timestamp=" + stamp, ids(1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)},
	}
	lists := make([]struct{ Shards []cliListedShard }, len(filters))
	var outs []any
	var commands [][]string
	for i, f := range filters {
		outs = append(outs, &lists[i])
		commands = append(commands, []string{"list-shards", "--stream-name", stream, "--shard-filter", f.filter})
	}
	c.okAll(outs, commands...)
	for i, f := range filters {
		var got []string
		for _, s := range lists[i].Shards {
			got = append(got, s.ShardID)
		}
		if !slices.Equal(got, f.want) {
			t.Errorf("list-shards --shard-filter %s = %v, want %v", f.filter, got, f.want)
		}
	}
	all := lists[0].Shards // FROM_TRIM_HORIZON
	checkListedLineage(t, all, lineage)

	var read reshardRead
	w.call("read", &read)
	w.wait()
	checkLineageRead(t, read, batches, lineage)
	t.Logf("test took %s", time.Since(begin).Round(time.Millisecond))
}

// checkReshardBatches checks where and when boto3's batches were written:
// inside the UPDATING window when asked (the second resharding refused),
// routed by hash key to the shards open at the time.
func checkReshardBatches(t *testing.T, batches []reshardBatch, lineage []lineageShard, id identity, stream string) {
	t.Helper()
	openBefore := map[string][]int{
		"before": {0, 1}, "split": {0, 1}, "after-split": {1, 2, 3}, "merge": {1, 2, 3}, "after-merge": {1, 4},
		"scale-up": {1, 4}, "after-scale-up": {5, 6, 7, 8}, "scale-down": {5, 6, 7, 8}, "after": {11, 14, 15},
	}
	for _, b := range batches {
		if b.Failed != 0 || len(b.Records) != 32 {
			t.Errorf("%s: %d of %d records failed", b.Phase, b.Failed, len(b.Records))
		}
		var ranges []shardRange
		for _, i := range openBefore[b.Phase] {
			ranges = append(ranges, shardRange{lineage[i].ID, lineage[i].Start, lineage[i].End})
		}
		if b.OpenShards != len(ranges) {
			t.Errorf("%s: DescribeStreamSummary counted %d open shards, want %d", b.Phase, b.OpenShards, len(ranges))
		}
		for _, r := range b.Records {
			key := strings.Split(r.Data, "/")[1]
			if want := shardFor(t, ranges, key, ""); r.ShardID != want {
				t.Errorf("%s: record %s went to %s, want %s", b.Phase, r.Data, r.ShardID, want)
			}
		}
		if !strings.HasPrefix(b.Phase, "after") && b.Phase != "before" {
			// A batch between two UPDATING answers was written while the
			// stream was resharding.
			if b.Before != "UPDATING" || b.After != "UPDATING" {
				t.Errorf("%s: the stream was %s before and %s after the batch; want UPDATING both times (is the machine so slow that 2 s passed?)",
					b.Phase, b.Before, b.After)
			} else if b.Busy == nil {
				t.Errorf("%s: a second resharding while UPDATING succeeded", b.Phase)
			} else {
				checkError(t, b.Phase+": a second resharding while UPDATING", *b.Busy, serviceError{"ResourceInUseException",
					"Stream " + stream + " under account " + id.Account + " not ACTIVE, instead in state UPDATING", 400})
			}
		} else if b.Before != "ACTIVE" || b.After != "ACTIVE" {
			t.Errorf("%s: the stream was %s before and %s after the batch, want ACTIVE", b.Phase, b.Before, b.After)
		}
	}
}

// checkListedLineage checks list-shards' full listing against the lineage.
func checkListedLineage(t *testing.T, listed []cliListedShard, lineage []lineageShard) {
	t.Helper()
	if len(listed) != len(lineage) {
		t.Errorf("list-shards FROM_TRIM_HORIZON listed %d shards, want %d", len(listed), len(lineage))
		return
	}
	for i, s := range listed {
		want := lineage[i]
		got := lineageShard{s.ShardID, s.ParentShardID, s.AdjacentParentShardID, s.HashKeyRange.StartingHashKey, s.HashKeyRange.EndingHashKey,
			s.SequenceNumberRange.EndingSequenceNumber == ""}
		if got != want {
			t.Errorf("list-shards: %+v\nwant %+v", got, want)
		}
		if !sequenceRE.MatchString(s.SequenceNumberRange.StartingSequenceNumber) ||
			!want.Open && !ascending([]string{s.SequenceNumberRange.StartingSequenceNumber, s.SequenceNumberRange.EndingSequenceNumber}) {
			t.Errorf("%s: sequence number range %+v", s.ShardID, s.SequenceNumberRange)
		}
	}
}

// checkLineageRead checks boto3's lineage-following read: parents before
// children, each record written exactly once and from the shard and with
// the sequence number PutRecords gave, each key's records in write order,
// and what GetRecords says at a closed shard's end and an open shard's tip.
func checkLineageRead(t *testing.T, read reshardRead, batches []reshardBatch, lineage []lineageShard) {
	t.Helper()
	pos := map[string]int{}
	for i, id := range read.Order {
		pos[id] = i
	}
	if len(read.Order) != len(lineage) || len(pos) != len(lineage) {
		t.Errorf("read shards %v, want each of the %d shards once", read.Order, len(lineage))
	}
	children := map[string][]lineageShard{}
	for _, s := range lineage {
		for _, p := range []string{s.Parent, s.Adjacent} {
			if p == "" {
				continue
			}
			children[p] = append(children[p], s)
			if pos[p] >= pos[s.ID] {
				t.Errorf("%s was read before its parent %s (order %v)", s.ID, p, read.Order)
			}
		}
	}

	type written struct{ shard, seq string }
	want := map[string]written{}
	for _, b := range batches {
		for _, r := range b.Records {
			want[r.Data] = written{r.ShardID, r.Seq}
		}
	}
	seen := map[string]bool{}
	next := map[string]int{} // per key, the next record number expected
	for _, id := range read.Order {
		for _, r := range read.Shards[id].Records {
			w, ok := want[r.Data]
			switch {
			case !ok:
				t.Errorf("%s: read %q, which was never written", id, r.Data)
			case seen[r.Data]:
				t.Errorf("%s: read %q again", id, r.Data)
			case w != (written{id, r.Seq}):
				t.Errorf("read %q from %s with sequence number %s; PutRecords put it in %s with %s", r.Data, id, r.Seq, w.shard, w.seq)
			}
			seen[r.Data] = true
			parts := strings.Split(r.Data, "/")
			if n, err := strconv.Atoi(parts[len(parts)-1]); err != nil || n != next[parts[1]] {
				t.Errorf("%s: read %q when record %d of key %s was due: records of a key out of write order", id, r.Data, next[parts[1]], parts[1])
			} else {
				next[parts[1]]++
			}
		}
	}
	if len(seen) != len(want) {
		t.Errorf("read %d distinct records of the %d written", len(seen), len(want))
	}

	for _, s := range lineage {
		resp := read.Shards[s.ID].Responses
		if len(resp) == 0 {
			t.Errorf("%s: no GetRecords response", s.ID)
			continue
		}
		last := resp[len(resp)-1]
		for i, r := range resp {
			if r.Behind == nil {
				t.Errorf("%s response %d of %d has no MillisBehindLatest", s.ID, i, len(resp))
			}
		}
		for i, r := range resp[:len(resp)-1] {
			if !r.HasNextIterator || r.ChildShards != nil {
				t.Errorf("%s response %d of %d: NextShardIterator present %v, ChildShards %v; want an iterator and no ChildShards before the end",
					s.ID, i, len(resp), r.HasNextIterator, r.ChildShards)
			}
		}
		if s.Open {
			if !last.HasNextIterator || last.ChildShards != nil || last.Behind == nil || *last.Behind != 0 {
				t.Errorf("%s (open) at its tip: NextShardIterator present %v, ChildShards %v, MillisBehindLatest %v; want an iterator, no ChildShards, 0",
					s.ID, last.HasNextIterator, last.ChildShards, last.Behind)
			}
			continue
		}
		var got []string
		if last.ChildShards != nil {
			for _, c := range *last.ChildShards {
				got = append(got, fmt.Sprintf("%s%v[%s,%s]", c.ShardID, c.ParentShards, c.StartingHashKey, c.EndingHashKey))
			}
		}
		var wantChildren []string
		for _, c := range children[s.ID] {
			parents := []string{c.Parent}
			if c.Adjacent != "" {
				parents = append(parents, c.Adjacent)
			}
			wantChildren = append(wantChildren, fmt.Sprintf("%s%v[%s,%s]", c.ID, parents, c.Start, c.End))
		}
		slices.Sort(got)
		slices.Sort(wantChildren)
		if last.HasNextIterator || !slices.Equal(got, wantChildren) {
			t.Errorf("%s (closed) at its end: NextShardIterator present %v, ChildShards %v; want none and %v", s.ID, last.HasNextIterator, got, wantChildren)
		}
	}
}
