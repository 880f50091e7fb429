package blackbox

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// session is the JSON summary that python/kinesis_session.py and
// js/kinesis_session.mjs print: what boto3 or the JavaScript SDK saw while
// running the same sequence of operations against eddy.
type session struct {
	Client   string
	Streams  []string
	Describe struct {
		Status        string
		ARN           string
		HasMoreShards bool
		Retention     int
		Shards        []struct {
			ShardID                        string
			StartingHashKey, EndingHashKey string
			StartingSequenceNumber         string
		}
	}
	Summary struct {
		Status, ARN, Encryption, Mode string
		OpenShardCount, Retention     int
	}
	ListStreamsPages         [][]string
	ListShardsPages          [][]string
	ListShardsPaginator      [][]string    // boto3 only
	ListShardsPaginatorError *serviceError // boto3 only
	PutRecord                putResult
	PutRecords               struct {
		Failed  int
		Results []putResult
	}
	PutLarge    putResult
	Shards      map[string]shardRead
	LargeSha256 string
	Iterators   struct {
		AtSequence, AfterSequence, Latest, AtTimestamp []string
		AtTimestampMillis                              int64
		AtTimestampExact                               []string
	}
	Tags struct {
		AfterAdd, AfterRemove map[string]string
	}
	ResourceTags *struct { // JavaScript only: TagResource and friends
		AfterTag, AfterUntag map[string]string
	}
	Retention  []int
	Monitoring struct {
		Enable, Disable struct{ Current, Desired []string }
	}
	Concurrent *struct { // JavaScript only
		Puts, DistinctSequenceNumbers, Summaries int
		ReadBack                                 []string
	}
	Limits struct {
		ShardLimit, OpenShardCount, OnDemandStreamCount, OnDemandStreamCountLimit int
	}
	Errors struct {
		NotFound, Validation serviceError
	}
	AfterDelete serviceError

	// JavaScript only: the transport that carried the requests.
	Handler       string
	HTTP2Sessions *struct {
		Count     int
		Protocols []string
	}
}

type putResult struct{ ShardID, SequenceNumber string }

type shardRead struct {
	Records []struct {
		SequenceNumber, PartitionKey, Data string
		ArrivalMillis                      int64
		Length                             int
		Sha256                             string
	}
	MillisBehindLatest *int64
	HasNextIterator    bool
}

type serviceError struct {
	Code, Message string
	Status        int
}

func (e serviceError) String() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// sessionRecord is one record the session scripts write, in write order:
// PutRecord, then the PutRecords entries, then the large PutRecord.
type sessionRecord struct {
	PartitionKey, ExplicitHashKey string
	Data                          []byte
}

// sessionRecords must match SINGLE, BATCH, BINARY, EXPLICIT and LARGE in
// the scripts.
func sessionRecords() []sessionRecord {
	out := []sessionRecord{{PartitionKey: "pk-single", Data: []byte("hello from the session")}}
	for i := range 5 {
		out = append(out, sessionRecord{PartitionKey: fmt.Sprintf("pk-%d", i), Data: fmt.Appendf(nil, "record-%d", i)})
	}
	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	out = append(out, sessionRecord{PartitionKey: "pk-binary", Data: bin})
	out = append(out, sessionRecord{PartitionKey: "pk-explicit", Data: []byte("explicit hash key"),
		ExplicitHashKey: "340282366920938463463374607431768211455"})
	large := make([]byte, 1<<20-len("pk-large"))
	for i := range large {
		large[i] = byte(i * 7 % 251)
	}
	return append(out, sessionRecord{PartitionKey: "pk-large", Data: large})
}

// checkSession holds a session summary to what AWS would have answered.
func checkSession(t *testing.T, s session, prefix string, id identity) {
	t.Helper()
	t.Logf("client: %s", s.Client)
	main := prefix + "-main"
	streams := []string{main, prefix + "-list-a", prefix + "-list-b"}

	// Lifecycle and description.
	if s.Describe.Status != "ACTIVE" || s.Describe.ARN != arn(id, main) || s.Describe.HasMoreShards || s.Describe.Retention != 24 {
		t.Errorf("DescribeStream: status %s, ARN %s, HasMoreShards %v, retention %d; want ACTIVE, %s, false, 24",
			s.Describe.Status, s.Describe.ARN, s.Describe.HasMoreShards, s.Describe.Retention, arn(id, main))
	}
	var shards []shardRange
	for _, sh := range s.Describe.Shards {
		shards = append(shards, shardRange{sh.ShardID, sh.StartingHashKey, sh.EndingHashKey})
		if !sequenceRE.MatchString(sh.StartingSequenceNumber) {
			t.Errorf("%s: starting sequence number %q is not 56 digits", sh.ShardID, sh.StartingSequenceNumber)
		}
	}
	if want := wantRanges(2); !slices.Equal(shards, want) {
		t.Fatalf("DescribeStream shards = %v, want %v", shards, want)
	}
	sum := s.Summary
	if sum.Status != "ACTIVE" || sum.ARN != arn(id, main) || sum.OpenShardCount != 2 || sum.Retention != 24 ||
		sum.Encryption != "NONE" || sum.Mode != "PROVISIONED" {
		t.Errorf("DescribeStreamSummary = %+v, want ACTIVE, %s, 2 open shards, 24 h, NONE, PROVISIONED", sum, arn(id, main))
	}

	// Pagination: one name per page, in name order; ListShards pages by
	// NextToken alone.
	var names []string
	for _, page := range s.ListStreamsPages {
		if len(page) > 1 {
			t.Errorf("ListStreams page of %d names with a page size of 1: %v", len(page), page)
		}
		names = append(names, page...)
	}
	if !slices.IsSorted(names) {
		t.Errorf("ListStreams pages are not in name order: %v", names)
	}
	ours := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return !strings.HasPrefix(n, prefix+"-") })
	if want := slices.Sorted(slices.Values(streams)); !slices.Equal(ours, want) {
		t.Errorf("ListStreams pages gave %v, want %v among them", names, want)
	}
	if want := [][]string{{shardID(0)}, {shardID(1)}}; !slices.EqualFunc(s.ListShardsPages, want, slices.Equal) {
		t.Errorf("ListShards pages of one = %v, want %v", s.ListShardsPages, want)
	}
	if s.ListShardsPaginator != nil {
		if want := [][]string{{shardID(0), shardID(1)}}; !slices.EqualFunc(s.ListShardsPaginator, want, slices.Equal) {
			t.Errorf("list_shards paginator = %v, want %v", s.ListShardsPaginator, want)
		}
	}
	if e := s.ListShardsPaginatorError; e != nil {
		if want := (serviceError{"InvalidArgumentException", msgTokenAndName, 400}); *e != want {
			t.Errorf("list_shards paginator with a page size of 1: %v, want %v (as AWS)", *e, want)
		}
	}

	checkSessionRecords(t, s, shards)

	// Tags, retention, monitoring, limits.
	if want := map[string]string{"team": "eddy", "env": "test"}; !maps.Equal(s.Tags.AfterAdd, want) {
		t.Errorf("tags after AddTagsToStream = %v, want %v", s.Tags.AfterAdd, want)
	}
	if want := map[string]string{"team": "eddy"}; !maps.Equal(s.Tags.AfterRemove, want) {
		t.Errorf("tags after RemoveTagsFromStream = %v, want %v", s.Tags.AfterRemove, want)
	}
	if rt := s.ResourceTags; rt != nil {
		if want := map[string]string{"team": "eddy", "owner": "blackbox"}; !maps.Equal(rt.AfterTag, want) {
			t.Errorf("ListTagsForResource after TagResource = %v, want %v", rt.AfterTag, want)
		}
		if want := map[string]string{"team": "eddy"}; !maps.Equal(rt.AfterUntag, want) {
			t.Errorf("ListTagsForResource after UntagResource = %v, want %v", rt.AfterUntag, want)
		}
	}
	if !slices.Equal(s.Retention, []int{48, 24}) {
		t.Errorf("retention after increase to 48 and decrease to 24 = %v", s.Retention)
	}
	checkMonitoring(t, s.Monitoring.Enable.Current, s.Monitoring.Enable.Desired, s.Monitoring.Disable.Current, s.Monitoring.Disable.Desired)
	if l := s.Limits; l.ShardLimit != 20000 || l.OpenShardCount < 4 || l.OnDemandStreamCount != 0 || l.OnDemandStreamCountLimit != 50 {
		t.Errorf("DescribeLimits = %+v, want ShardLimit 20000, at least 4 open shards, 0 of 50 on-demand streams", l)
	}
	if c := s.Concurrent; c != nil {
		var want []string
		for i := range 20 {
			want = append(want, fmt.Sprintf("concurrent-%d", i))
		}
		slices.Sort(want)
		if c.Puts != 20 || c.DistinctSequenceNumbers != 20 || c.Summaries != 10 || !slices.Equal(c.ReadBack, want) {
			t.Errorf("concurrent requests: %d puts, %d distinct sequence numbers, %d summaries, read back %v; want 20, 20, 10, %v",
				c.Puts, c.DistinctSequenceNumbers, c.Summaries, c.ReadBack, want)
		}
	}

	// Errors as AWS sends them.
	checkError(t, "DescribeStream of a missing stream", s.Errors.NotFound,
		serviceError{"ResourceNotFoundException", msgNotFound(prefix+"-missing", id.Account), 400})
	checkError(t, "CreateStream with a bad name", s.Errors.Validation, serviceError{"ValidationException", msgBadName, 400})
	checkError(t, "DescribeStreamSummary after DeleteStream", s.AfterDelete,
		serviceError{"ResourceNotFoundException", msgNotFound(main, id.Account), 400})
}

// checkSessionRecords checks routing, the records read back and the
// iterator types.
func checkSessionRecords(t *testing.T, s session, shards []shardRange) {
	t.Helper()
	recs := sessionRecords()
	puts := append(append([]putResult{s.PutRecord}, s.PutRecords.Results...), s.PutLarge)
	if s.PutRecords.Failed != 0 || len(puts) != len(recs) {
		t.Fatalf("PutRecords: %d failed, %d results; want 0 failed, %d results", s.PutRecords.Failed, len(s.PutRecords.Results), len(recs)-2)
	}
	// What each shard must hold, in write order.
	want := map[string][]int{}
	for i, r := range recs {
		sh := shardFor(t, shards, r.PartitionKey, r.ExplicitHashKey)
		if puts[i].ShardID != sh {
			t.Errorf("record %q went to %s, want %s (MD5 routing / ExplicitHashKey)", r.PartitionKey, puts[i].ShardID, sh)
		}
		if !sequenceRE.MatchString(puts[i].SequenceNumber) {
			t.Errorf("record %q: sequence number %q is not 56 digits", r.PartitionKey, puts[i].SequenceNumber)
		}
		want[sh] = append(want[sh], i)
	}
	largeSum := sha256.Sum256(recs[len(recs)-1].Data)
	if s.LargeSha256 != hex.EncodeToString(largeSum[:]) {
		t.Fatalf("the script's large record differs from sessionRecords (sha256 %s)", s.LargeSha256)
	}
	now := time.Now()
	for _, sh := range shards {
		read, ok := s.Shards[sh.ShardID]
		if !ok {
			t.Errorf("%s was not read", sh.ShardID)
			continue
		}
		if len(read.Records) != len(want[sh.ShardID]) {
			t.Errorf("%s: read %d records from TRIM_HORIZON, want %d", sh.ShardID, len(read.Records), len(want[sh.ShardID]))
			continue
		}
		var seqs []string
		for j, got := range read.Records {
			i := want[sh.ShardID][j]
			r := recs[i]
			seqs = append(seqs, got.SequenceNumber)
			if got.PartitionKey != r.PartitionKey || got.SequenceNumber != puts[i].SequenceNumber {
				t.Errorf("%s record %d: key %q, sequence number %s; want %q, %s", sh.ShardID, j, got.PartitionKey, got.SequenceNumber, r.PartitionKey, puts[i].SequenceNumber)
			}
			if got.Sha256 != "" { // the large record, summarised by the script
				if got.Length != len(r.Data) || got.Sha256 != s.LargeSha256 {
					t.Errorf("%s: large record read back with %d bytes, sha256 %s; want %d bytes, %s", sh.ShardID, got.Length, got.Sha256, len(r.Data), s.LargeSha256)
				}
			} else if got.Data != base64.StdEncoding.EncodeToString(r.Data) {
				t.Errorf("%s record %q: data %s, want %s", sh.ShardID, r.PartitionKey, got.Data, base64.StdEncoding.EncodeToString(r.Data))
			}
			arrived := time.UnixMilli(got.ArrivalMillis)
			if arrived.Before(now.Add(-10*time.Minute)) || arrived.After(now.Add(time.Minute)) {
				t.Errorf("%s record %q: ApproximateArrivalTimestamp %s is not about now", sh.ShardID, r.PartitionKey, arrived)
			}
		}
		if !ascending(seqs) {
			t.Errorf("%s: sequence numbers do not increase: %v", sh.ShardID, seqs)
		}
		if read.MillisBehindLatest == nil || *read.MillisBehindLatest != 0 || !read.HasNextIterator {
			t.Errorf("%s: at the tip of an open shard MillisBehindLatest = %v and NextShardIterator present = %v; want 0, true",
				sh.ShardID, read.MillisBehindLatest, read.HasNextIterator)
		}
	}

	// Iterators on the shard that holds the single PutRecord.
	var inShard, sinceMillis []string
	for _, i := range want[s.PutRecord.ShardID] {
		inShard = append(inShard, puts[i].SequenceNumber)
	}
	for _, r := range s.Shards[s.PutRecord.ShardID].Records {
		if r.ArrivalMillis >= s.Iterators.AtTimestampMillis {
			sinceMillis = append(sinceMillis, r.SequenceNumber)
		}
	}
	if len(inShard) == 0 || inShard[0] != s.PutRecord.SequenceNumber {
		t.Fatalf("the PutRecord is not first in its shard: %v", inShard)
	}
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"AT_SEQUENCE_NUMBER", s.Iterators.AtSequence, inShard},
		{"AFTER_SEQUENCE_NUMBER", s.Iterators.AfterSequence, inShard[1:]},
		{"LATEST", s.Iterators.Latest, nil},
		{"AT_TIMESTAMP (before the stream existed)", s.Iterators.AtTimestamp, inShard},
		{fmt.Sprintf("AT_TIMESTAMP %d ms", s.Iterators.AtTimestampMillis), s.Iterators.AtTimestampExact, sinceMillis},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s read %v, want %v", c.name, c.got, c.want)
		}
	}
}

func checkMonitoring(t *testing.T, enCurrent, enDesired, disCurrent, disDesired []string) {
	t.Helper()
	sorted := func(s []string) []string { return slices.Sorted(slices.Values(s)) }
	both := []string{"IncomingBytes", "OutgoingBytes"}
	if len(enCurrent) != 0 || !slices.Equal(sorted(enDesired), both) {
		t.Errorf("EnableEnhancedMonitoring: current %v, desired %v; want [], %v", enCurrent, enDesired, both)
	}
	if !slices.Equal(sorted(disCurrent), both) || !slices.Equal(disDesired, []string{"OutgoingBytes"}) {
		t.Errorf("DisableEnhancedMonitoring: current %v, desired %v; want %v, [OutgoingBytes]", disCurrent, disDesired, both)
	}
}

func checkError(t *testing.T, what string, got, want serviceError) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}
