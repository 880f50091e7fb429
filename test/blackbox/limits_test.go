package blackbox

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// limitsSession is what python/limits.py prints.
type limitsSession struct {
	Puts []struct {
		FailedRecordCount, Records int
		Succeeded                  []string
		Failures                   []struct {
			Code, Message      string
			WithSequenceNumber bool
			Count              int
		}
	}
	PutSeconds float64
	Reads      []struct {
		Records []string
		Error   *serviceError
	}
	ReadSeconds float64
}

// TestLimitsBoto3 runs boto3 into AWS's per-shard quotas on a server started
// with --limits aws. Writes: 1,000 records a second per shard, so of 1,500
// records sent in three back-to-back PutRecords calls the first 1,000 (and
// what the quota refills meanwhile) succeed and the rest fail individually
// with ProvisionedThroughputExceededException and AWS's message. Reads: 5
// GetRecords calls a second per shard, so in a burst the sixth call is
// throttled. The bounds allow for the quota refilling while the calls run.
func TestLimitsBoto3(t *testing.T) {
	t.Parallel()
	id := identity{AccessKey: "AKIAEDDYBLACKBOX", Region: "sa-east-1", Account: "000000000000"}
	env := clientEnv(t, id)
	python := boto3Python(t, env)
	srv := startServer(t, "--limits", "aws")
	const stream = "limited"
	r := runClient(t, env, "", python, script(t, "python", "limits.py"), "--endpoint", srv.URL, "--stream", stream)
	if r.Code != 0 {
		t.Fatalf("limits.py failed: %s", r)
	}
	var s limitsSession
	decodeJSON(t, "limits.py", r.Stdout, &s)

	if len(s.Puts) != 3 {
		t.Fatalf("%d PutRecords results, want 3", len(s.Puts))
	}
	var succeeded []string
	failed := 0
	for i, p := range s.Puts {
		succeeded = append(succeeded, p.Succeeded...)
		failed += p.FailedRecordCount
		if p.Records != 500 || p.FailedRecordCount+len(p.Succeeded) != 500 {
			t.Errorf("PutRecords %d: %d results, %d failed, %d succeeded; want 500 in all", i, p.Records, p.FailedRecordCount, len(p.Succeeded))
		}
		n := 0
		for _, f := range p.Failures {
			n += f.Count
			want := "Rate exceeded for shard shardId-000000000000 in stream " + stream + " under account " + id.Account + "."
			if f.Code != "ProvisionedThroughputExceededException" || f.Message != want || f.WithSequenceNumber {
				t.Errorf("PutRecords %d: %d entries failed with %s %q (sequence number or shard id given: %v); want ProvisionedThroughputExceededException %q and neither",
					i, f.Count, f.Code, f.Message, f.WithSequenceNumber, want)
			}
		}
		if n != p.FailedRecordCount {
			t.Errorf("PutRecords %d: FailedRecordCount %d, but %d entries carry an error", i, p.FailedRecordCount, n)
		}
	}
	// The quota starts full: the first two calls fit in it.
	if s.Puts[0].FailedRecordCount != 0 || s.Puts[1].FailedRecordCount != 0 || failed == 0 {
		t.Errorf("failed records per PutRecords call: %d, %d, %d; want 0, 0 and some", s.Puts[0].FailedRecordCount, s.Puts[1].FailedRecordCount, s.Puts[2].FailedRecordCount)
	}
	if most := 1000 + int(math.Ceil(1000*s.PutSeconds)); len(succeeded) > most {
		t.Errorf("%d of 1,500 records written in %.3f s; the quota allows at most %d", len(succeeded), s.PutSeconds, most)
	}
	t.Logf("writes: %d of 1,500 records accepted in %.0f ms, %d throttled", len(succeeded), 1000*s.PutSeconds, failed)

	// Reads: the first call returns every accepted record; calls go on
	// until one is throttled.
	if len(s.Reads) == 0 || s.Reads[0].Error != nil || !slices.Equal(s.Reads[0].Records, succeeded) {
		t.Fatalf("the first GetRecords should return the %d accepted records in order: %+v", len(succeeded), s.Reads[:min(1, len(s.Reads))])
	}
	last := s.Reads[len(s.Reads)-1]
	calls := len(s.Reads) - 1 // before the throttled one
	if last.Error == nil {
		t.Fatalf("%d GetRecords calls in %.3f s, none throttled", len(s.Reads), s.ReadSeconds)
	}
	checkError(t, fmt.Sprintf("GetRecords call %d", len(s.Reads)), *last.Error, serviceError{"ProvisionedThroughputExceededException",
		"Rate exceeded for Shard - " + id.Account + "/" + stream + "/shardId-000000000000", 400})
	if most := 5 + int(5*s.ReadSeconds); calls < 5 || calls > most {
		t.Errorf("%d GetRecords calls succeeded in %.3f s before one was throttled; the quota allows 5 at once and at most %d in that time", calls, s.ReadSeconds, most)
	}
	t.Logf("reads: GetRecords call %d throttled, %.0f ms after the first", len(s.Reads), 1000*s.ReadSeconds)
}
