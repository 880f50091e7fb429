package blackbox

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestAWSCLI drives the stream operations a first user reaches for with the
// AWS CLI, over HTTP and once over HTTPS with eddy's self-signed certificate
// as the CA bundle. Every CLI start costs most of a second of CPU, so the
// parts run in parallel on one server, each on its own streams, and each
// operation runs about once (the SDK sessions check the finer points).
func TestAWSCLI(t *testing.T) {
	t.Parallel()
	id := identity{AccessKey: "AKIAEDDYBLACKBOX", Region: "eu-central-1", Account: "000000000000"}
	base := newCLI(t, id)
	srv := startServer(t)
	plain := func(t *testing.T) *awsCLI {
		c := base.at(srv.URL, "")
		c.t = t
		return c
	}

	t.Run("lifecycle", func(t *testing.T) {
		t.Parallel()
		c := plain(t)
		const stream, other = "cli-main", "cli-other"
		c.ok(nil, "create-stream", "--stream-name", stream, "--shard-count", "2")
		c.ok(nil, "wait", "stream-exists", "--stream-name", stream)
		// --page-size 1: the CLI pages through the shards itself with
		// ExclusiveStartShardId and merges the pages.
		var desc cliStreamDescription
		c.ok(&desc, "describe-stream", "--stream-name", stream, "--page-size", "1")
		d := desc.StreamDescription
		if d.StreamName != stream || d.StreamStatus != "ACTIVE" || d.StreamARN != arn(id, stream) || d.HasMoreShards || d.RetentionPeriodHours != 24 {
			t.Errorf("describe-stream = %+v", d)
		}
		if got, want := desc.ranges(), wantRanges(2); !slices.Equal(got, want) {
			t.Errorf("describe-stream shards = %v, want %v", got, want)
		}
		var sum cliSummary
		c.ok(&sum, "describe-stream-summary", "--stream-name", stream)
		if s := sum.StreamDescriptionSummary; s.StreamStatus != "ACTIVE" || s.OpenShardCount != 2 || s.RetentionPeriodHours != 24 ||
			s.EncryptionType != "NONE" || s.StreamModeDetails.StreamMode != "PROVISIONED" || s.StreamARN != arn(id, stream) {
			t.Errorf("describe-stream-summary = %+v", s)
		}

		// The CLI pages list-streams itself with --page-size; the other
		// parts' streams show up too.
		c.ok(nil, "create-stream", "--stream-name", other, "--shard-count", "1")
		var streams struct{ StreamNames []string }
		c.ok(&streams, "list-streams", "--page-size", "1")
		ours := slices.DeleteFunc(slices.Clone(streams.StreamNames), func(n string) bool { return n != stream && n != other })
		if !slices.IsSorted(streams.StreamNames) || !slices.Equal(ours, []string{stream, other}) {
			t.Errorf("list-streams --page-size 1 = %v, want names in order, with %s and %s", streams.StreamNames, stream, other)
		}
		type shardPage struct {
			Shards    []cliShard
			NextToken string
		}
		var first, second shardPage
		c.ok(&first, "list-shards", "--stream-name", stream, "--max-results", "1")
		if len(first.Shards) != 1 || first.Shards[0].ShardID != shardID(0) || first.NextToken == "" {
			t.Errorf("list-shards --max-results 1 = %+v, want shard 0 and a NextToken", first)
		} else {
			c.ok(&second, "list-shards", "--next-token", first.NextToken)
			if len(second.Shards) != 1 || second.Shards[0].ShardID != shardID(1) || second.NextToken != "" {
				t.Errorf("list-shards --next-token = %+v, want shard 1 and no NextToken", second)
			}
		}

		c.ok(nil, "delete-stream", "--stream-name", other)
		c.ok(nil, "delete-stream", "--stream-name", stream)
		c.ok(nil, "wait", "stream-not-exists", "--stream-name", stream)
	})

	t.Run("records", func(t *testing.T) {
		t.Parallel()
		c := plain(t)
		const stream = "cli-records"
		c.ok(nil, "create-stream", "--stream-name", stream, "--shard-count", "2")
		shards := wantRanges(2) // checked by the lifecycle part

		// One binary record from a file, then a batch.
		keys := []string{"pk-single"}
		written := map[string][]byte{"pk-single": []byte("\x00\x01binary\xff\xfe from the CLI\n")}
		var single cliPut
		c.ok(&single, "put-record", "--stream-name", stream, "--partition-key", "pk-single", "--data", c.file("single.bin", written["pk-single"]))
		type entry struct{ PartitionKey, Data string }
		var entries []entry
		for i := range 6 {
			k, v := fmt.Sprintf("pk-%d", i), fmt.Sprintf("batch record %d", i)
			entries = append(entries, entry{k, c.jsonBlob(v)})
			keys = append(keys, k)
			written[k] = []byte(v)
		}
		recordsJSON, _ := json.Marshal(entries)
		var batch struct {
			FailedRecordCount int
			Records           []cliPut
		}
		c.ok(&batch, "put-records", "--stream-name", stream, "--records", string(recordsJSON))
		if batch.FailedRecordCount != 0 || len(batch.Records) != len(entries) {
			t.Fatalf("put-records = %+v", batch)
		}
		puts := append([]cliPut{single}, batch.Records...)
		wantByShard := map[string][]int{}
		for i, p := range puts {
			if want := shardFor(t, shards, keys[i], ""); p.ShardID != want || !sequenceRE.MatchString(p.SequenceNumber) {
				t.Errorf("%s: put to %s with sequence number %s; want %s and 56 digits", keys[i], p.ShardID, p.SequenceNumber, want)
			}
			wantByShard[p.ShardID] = append(wantByShard[p.ShardID], i)
		}

		// Every shard read back, the data decoded.
		for _, sh := range shards {
			got := c.read(stream, sh.ShardID, "TRIM_HORIZON")
			want := wantByShard[sh.ShardID]
			if len(got.Records) != len(want) {
				t.Errorf("%s: get-records read %d records, want %d", sh.ShardID, len(got.Records), len(want))
				continue
			}
			for j, r := range got.Records {
				i := want[j]
				if r.PartitionKey != keys[i] || r.SequenceNumber != puts[i].SequenceNumber || string(r.Data) != string(written[keys[i]]) {
					t.Errorf("%s record %d = %s %s %q, want %s %s %q", sh.ShardID, j, r.PartitionKey, r.SequenceNumber, r.Data,
						keys[i], puts[i].SequenceNumber, written[keys[i]])
				}
			}
			if got.MillisBehindLatest == nil || *got.MillisBehindLatest != 0 || got.NextShardIterator == "" {
				t.Errorf("%s: at the tip MillisBehindLatest = %v, NextShardIterator %q", sh.ShardID, got.MillisBehindLatest, got.NextShardIterator)
			}
		}
		c.ok(nil, "delete-stream", "--stream-name", stream)
	})

	t.Run("settings", func(t *testing.T) {
		t.Parallel()
		c := plain(t)
		const stream = "cli-settings"
		c.ok(nil, "create-stream", "--stream-name", stream, "--shard-count", "1")

		var tags cliTags
		c.ok(nil, "add-tags-to-stream", "--stream-name", stream, "--tags", "team=eddy,env=test,tmp=1")
		c.ok(nil, "remove-tags-from-stream", "--stream-name", stream, "--tag-keys", "tmp")
		c.ok(&tags, "list-tags-for-stream", "--stream-name", stream)
		if want := map[string]string{"team": "eddy", "env": "test"}; !maps.Equal(tags.asMap(), want) || tags.HasMoreTags {
			t.Errorf("list-tags-for-stream = %+v, want %v", tags, want)
		}
		// A decrease to 48 hours succeeds only if the increase to 72 did.
		c.ok(nil, "increase-stream-retention-period", "--stream-name", stream, "--retention-period-hours", "72")
		c.ok(nil, "decrease-stream-retention-period", "--stream-name", stream, "--retention-period-hours", "48")
		var sum cliSummary
		c.ok(&sum, "describe-stream-summary", "--stream-name", stream)
		if h := sum.StreamDescriptionSummary.RetentionPeriodHours; h != 48 {
			t.Errorf("retention after increasing to 72 and decreasing to 48 = %d", h)
		}
		var en, dis cliMonitoring
		c.ok(&en, "enable-enhanced-monitoring", "--stream-name", stream, "--shard-level-metrics", "IncomingBytes", "OutgoingBytes")
		c.ok(&dis, "disable-enhanced-monitoring", "--stream-name", stream, "--shard-level-metrics", "IncomingBytes")
		if en.StreamName != stream || dis.StreamName != stream {
			t.Errorf("enhanced monitoring answers name streams %q and %q", en.StreamName, dis.StreamName)
		}
		checkMonitoring(t, en.CurrentShardLevelMetrics, en.DesiredShardLevelMetrics, dis.CurrentShardLevelMetrics, dis.DesiredShardLevelMetrics)
		var limits struct{ ShardLimit, OpenShardCount, OnDemandStreamCountLimit int }
		c.ok(&limits, "describe-limits")
		if limits.ShardLimit != 20000 || limits.OpenShardCount < 1 || limits.OnDemandStreamCountLimit != 50 {
			t.Errorf("describe-limits = %+v, want ShardLimit 20000, open shards, 50 on-demand streams", limits)
		}
		c.ok(nil, "delete-stream", "--stream-name", stream)
	})

	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		c := plain(t)
		c.serviceError("DescribeStream", "ResourceNotFoundException", msgNotFound("cli-missing", id.Account),
			"describe-stream", "--stream-name", "cli-missing")
		c.serviceError("CreateStream", "ValidationException", msgBadName,
			"create-stream", "--stream-name", "bad name!", "--shard-count", "1")
	})

	t.Run("TLS", func(t *testing.T) {
		t.Parallel()
		c := base.at(srv.TLSURL, srv.CertFile)
		c.t = t
		const stream = "cli-tls"
		c.ok(nil, "create-stream", "--stream-name", stream, "--shard-count", "1")
		var put cliPut
		c.ok(&put, "put-record", "--stream-name", stream, "--partition-key", "k", "--data", c.file("tls.bin", []byte("over TLS")))
		got := c.read(stream, put.ShardID, "AT_SEQUENCE_NUMBER", "--starting-sequence-number", put.SequenceNumber)
		if len(got.Records) != 1 || string(got.Records[0].Data) != "over TLS" {
			t.Errorf("read back over TLS: %+v", got.Records)
		}
		c.ok(nil, "delete-stream", "--stream-name", stream)

		// Without the CA bundle the certificate is not trusted: TLS is
		// really verified.
		untrusted := base.at(srv.TLSURL, "")
		untrusted.t = t
		if r := untrusted.run("list-streams"); r.Code == 0 || !strings.Contains(r.Stderr, "SSL") {
			t.Errorf("list-streams over TLS without --ca-bundle: want a certificate error, got %s", r)
		}
	})
}

// TestAWSCLIWaitSeesCreating shows that a new stream is observably CREATING
// and that `aws kinesis wait stream-exists` polls until it is ACTIVE. The
// waiter polls every 10 s, so this test spends about 10 s waiting.
func TestAWSCLIWaitSeesCreating(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 10 s for the CLI's waiter")
	}
	t.Parallel()
	id := identity{AccessKey: "AKIAEDDYBLACKBOX", Region: "us-east-1", Account: "000000000000"}
	base := newCLI(t, id)
	// The waiter's first poll comes within 10 s of the creation however
	// slow the machine, and sees CREATING; its second, 10 s later, sees
	// ACTIVE.
	srv := startServer(t, "--create-delay", "10s")
	c := base.at(srv.URL, "")
	const stream = "cli-waited"

	c.ok(nil, "create-stream", "--stream-name", stream, "--shard-count", "1")
	var desc cliStreamDescription
	c.ok(&desc, "describe-stream", "--stream-name", stream)
	if d := desc.StreamDescription; d.StreamStatus != "CREATING" || len(d.Shards) != 0 || d.HasMoreShards {
		t.Errorf("describe-stream while CREATING: status %s, %d shards, HasMoreShards %v; want CREATING, none, false",
			d.StreamStatus, len(d.Shards), d.HasMoreShards)
	}
	// --debug logs every response the waiter got.
	begin := time.Now()
	r := c.run("wait", "stream-exists", "--stream-name", stream, "--debug")
	if r.Code != 0 {
		t.Fatalf("wait stream-exists: exit %d\n%s", r.Code, lastLines(r.Stderr, 30))
	}
	t.Logf("wait stream-exists took %s", time.Since(begin).Round(time.Millisecond))
	statuses := regexp.MustCompile(`"StreamStatus":\s*"(\w+)"`).FindAllStringSubmatch(r.Stderr, -1)
	var seen []string
	for _, m := range statuses {
		seen = append(seen, m[1])
	}
	if len(seen) < 2 || seen[0] != "CREATING" || seen[len(seen)-1] != "ACTIVE" {
		t.Errorf("the waiter saw statuses %v, want CREATING first and ACTIVE last", seen)
	}
}

// lastLines is the end of a long text, for failure messages.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
