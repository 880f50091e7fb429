package blackbox

import "testing"

// TestAWSCLICapacityModes creates an on-demand stream with the AWS CLI,
// switches it to provisioned and back with update-stream-mode (AWS allows
// two switches a day, so exactly two), and shows that split-shard, a
// provisioned-only operation, is refused on the on-demand stream. The
// server finishes updates at once (--update-delay 0s), so each command
// finds the stream ACTIVE.
func TestAWSCLICapacityModes(t *testing.T) {
	t.Parallel()
	id := identity{AccessKey: "AKIAEDDYBLACKBOX", Region: "ap-southeast-2", Account: "000000000000"}
	base := newCLI(t, id)
	srv := startServer(t, "--update-delay", "0s")
	c := base.at(srv.URL, "")
	const stream = "cli-on-demand"
	streamARN := arn(id, stream)

	c.ok(nil, "create-stream", "--stream-name", stream, "--stream-mode-details", "StreamMode=ON_DEMAND")
	// describe-stream-summary: this CLI's model of describe-stream (2.9)
	// has no StreamModeDetails.
	var sum cliSummary
	c.ok(&sum, "describe-stream-summary", "--stream-name", stream)
	if s := sum.StreamDescriptionSummary; s.StreamStatus != "ACTIVE" || s.StreamModeDetails.StreamMode != "ON_DEMAND" || s.OpenShardCount != 4 {
		t.Errorf("describe-stream-summary of a new on-demand stream: %s, %s, %d open shards; want ACTIVE, ON_DEMAND, 4",
			s.StreamStatus, s.StreamModeDetails.StreamMode, s.OpenShardCount)
	}

	c.serviceError("SplitShard", "ValidationException", "Request is invalid. Stream "+stream+" under account "+id.Account+" is in On-Demand mode.",
		"split-shard", "--stream-name", stream, "--shard-to-split", shardID(0), "--new-starting-hash-key", wantRanges(8)[1].StartingHashKey)

	// update-stream-mode addresses the stream by ARN only; the shards stay.
	for _, mode := range []string{"PROVISIONED", "ON_DEMAND"} {
		c.ok(nil, "update-stream-mode", "--stream-arn", streamARN, "--stream-mode-details", "StreamMode="+mode)
		var sum cliSummary
		c.ok(&sum, "describe-stream-summary", "--stream-name", stream)
		if s := sum.StreamDescriptionSummary; s.StreamStatus != "ACTIVE" || s.StreamModeDetails.StreamMode != mode || s.OpenShardCount != 4 {
			t.Errorf("describe-stream-summary after update-stream-mode %s: %s, %s, %d open shards; want ACTIVE, %s, 4",
				mode, s.StreamStatus, s.StreamModeDetails.StreamMode, s.OpenShardCount, mode)
		}
	}
}
