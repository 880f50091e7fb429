package streams

import (
	"fmt"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// The wire errors the streams service sends, in one place. Texts marked
// "AWS" are AWS's exact wording (sources in docs/design/streams.md); texts
// marked "eddy" are eddy's own where AWS's wording is not public, written in
// AWS's style so they can be corrected when a real trace turns up.

// AWS.
func errStreamNotFound(name, acct string) error {
	return awsproto.Errorf(awsproto.ResourceNotFound, "Stream %s under account %s not found.", name, acct)
}

// AWS.
func errStreamExists(name, acct string) error {
	return awsproto.Errorf(awsproto.ResourceInUse, "Stream %s under account %s already exists.", name, acct)
}

// AWS (no final period).
func errNotActive(name, acct, status string) error {
	return awsproto.Errorf(awsproto.ResourceInUse, "Stream %s under account %s not ACTIVE, instead in state %s", name, acct, status)
}

// AWS: a shard id that does not parse (raw id as sent), or a shard missing
// from SplitShard/MergeShards (normalized id).
func errCouldNotFindShard(shardID, name, acct string) error {
	return awsproto.Errorf(awsproto.ResourceNotFound, "Could not find shard %s in stream %s under account %s.", shardID, name, acct)
}

// AWS (no final period): GetShardIterator and GetRecords.
func errShardDoesNotExist(shardID, name, acct string) error {
	return awsproto.Errorf(awsproto.ResourceNotFound, "Shard %s in stream %s under account %s does not exist", shardID, name, acct)
}

// AWS.
func errShardLimit(acct, region string, open, limit, added int) error {
	return awsproto.Errorf(awsproto.LimitExceeded, "This request would exceed the shard limit for the account %s in %s. "+
		"Current shard count for the account: %d. Limit: %d. Number of additional shards that would have resulted from this request: %d. "+
		"Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.",
		acct, region, open, limit, added)
}

// AWS (text from the AWS console).
func errOnDemandStreamLimit(acct, region string, n, limit int) error {
	return awsproto.Errorf(awsproto.LimitExceeded, "This request would exceed the limit on the number of On-Demand streams for the account %s in %s. Current On-Demand streams count: %d. Limit: %d.", acct, region, n, limit)
}

// AWS (as reproduced by moto): provisioned-only API on an on-demand stream.
func errOnDemand(name, acct string) error {
	return awsproto.Errorf(awsproto.Validation, "Request is invalid. Stream %s under account %s is in On-Demand mode.", name, acct)
}

// AWS.
func errExplicitHashKey(v string) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", v)
}

// AWS.
func errExclusiveMinimum(v, op, name, acct string) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "ExclusiveMinimumSequenceNumber %s used in %s on stream %s under account %s is invalid.", v, op, name, acct)
}

// AWS.
func errRecordsTooLarge(limitMB int) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "Records size exceeds %d MB limit", limitMB)
}

// eddy: a record whose data and partition key exceed the stream's
// MaxRecordSizeInKiB (AWS's text is not public). The Coral-style text AWS
// used for years for the old fixed 1 MiB limit is the closest: size is the
// data's length and limit what the data may be next to this partition key.
func errRecordTooLarge(path string, size, limit int) error {
	return awsproto.Errorf(awsproto.Validation, "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", size, size, path, limit)
}

// AWS: ProvisionedThroughputExceeded for writes.
func msgWriteThrottled(shardID, name, acct string) string {
	return fmt.Sprintf("Rate exceeded for shard %s in stream %s under account %s.", shardID, name, acct)
}

// AWS: per-record internal failure text in PutRecords.
const msgInternalRecordFailure = "Internal Service Failure"

// AWS.
func errIteratorSpec(typ string, hasSeq bool) error {
	tail := "and no StartingSequenceNumber."
	if hasSeq {
		tail = "and also a StartingSequenceNumber."
	}
	return awsproto.Errorf(awsproto.InvalidArgument, "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified %s %s", typ, tail)
}

// AWS.
func errNoTimestamp() error {
	return awsproto.Errorf(awsproto.InvalidArgument, "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
}

// AWS (no final period).
func errFutureTimestamp(ts, now int64) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: %d, currentTimestampInMillis: %d", ts, now)
}

// AWS.
func errStartingSeqInvalid(seq, shardID, name, acct string) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid.", seq, shardID, name, acct)
}

// AWS.
func errStartingSeqOtherShard(otherShardID, shardID string) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard with %s", otherShardID, shardID)
}

// AWS.
func errStartingSeqForeign(seq, shardID, name, acct string) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid because it did not come from this stream.", seq, shardID, name, acct)
}

// AWS.
func errAfterShardEnd() error {
	return awsproto.Errorf(awsproto.InvalidArgument, "Invalid SequenceNumber for ShardIteratorType AFTER_SEQUENCE_NUMBER, SequenceNumber has reached max possible value for the shard.")
}

// AWS.
func errInvalidIterator() error {
	return awsproto.Errorf(awsproto.InvalidArgument, "Invalid ShardIterator.")
}

// AWS: times in Java's Date.toString() form, in UTC.
func errIteratorExpired(created, now time.Time) error {
	const javaDate = "Mon Jan 02 15:04:05 MST 2006"
	return awsproto.Errorf(awsproto.ExpiredIterator,
		"Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of 300000 milliseconds.",
		created.UTC().Format(javaDate), now.UTC().Format(javaDate))
}

// eddy: neither StreamName nor StreamARN given (AWS's text is not public).
func errNoStreamIdentifier() error {
	return awsproto.Errorf(awsproto.InvalidArgument, "Either StreamName or StreamARN must be provided.")
}

// eddy: StreamName and StreamARN name different streams.
func errStreamNameARNMismatch(name, arn string) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "StreamName %s does not match the stream in StreamARN %s.", name, arn)
}

// eddy: a StreamARN for another account or region than the caller's.
func errARNNamespace(arn, acct, region string) error {
	return awsproto.Errorf(awsproto.AccessDenied, "Resource %s is not in account %s and region %s of this request.", arn, acct, region)
}

// AWS.
func errRetentionTooShort(h int) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.", minRetentionHours, h)
}

// AWS.
func errRetentionTooLong(h int) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "Maximum allowed retention period is %d hours. Requested retention period (%d hours) is too long.", maxRetentionHours, h)
}

// AWS.
func errRetentionDirection(h int, name string, cur int, increase bool) error {
	if increase {
		return awsproto.Errorf(awsproto.InvalidArgument, "Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", h, name, cur)
	}
	return awsproto.Errorf(awsproto.InvalidArgument, "Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", h, name, cur)
}

// AWS: ListShards.
func errListShardsArgs(what string) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "%s", what)
}

// eddy: a pagination token older than 300 s (AWS's text is not public).
func errExpiredNextToken() error {
	return awsproto.Errorf(awsproto.ExpiredNextToken, "The NextToken has expired. NextTokens are valid for 300 seconds.")
}

// eddy: a pagination token that was not issued by this server for this call.
func errInvalidNextToken() error {
	return awsproto.Errorf(awsproto.InvalidArgument, "Invalid NextToken.")
}

// Enhanced fan-out: consumers and SubscribeToShard.

// AWS (SubscribeToShard; note "stream: NAME ," with its spaces).
func errConsumerNotActive(consumer string, created time.Time, stream, acct string) error {
	return awsproto.Errorf(awsproto.ResourceInUse, "Consumer %s with creation timestamp %d under stream: %s , account %s is not in ACTIVE status.", consumer, created.Unix(), stream, acct)
}

// AWS: a second subscription for the same consumer and shard within 5
// seconds. eddy also ends a subscription that a later one takes over with
// it (AWS's text for that case is not public).
func errSubscriptionInUse(acct, stream, shardID, consumer string) error {
	return awsproto.Errorf(awsproto.ResourceInUse, "Another active subscription exists for this consumer: %s:%s:%s:%s", acct, stream, shardID, consumer)
}

// eddy: a consumer name already registered on the stream (AWS's text is
// not public).
func errConsumerExists(consumer, stream, acct string) error {
	return awsproto.Errorf(awsproto.ResourceInUse, "Consumer %s under stream %s already exists for account %s.", consumer, stream, acct)
}

// eddy: the limit of consumers per stream (20 on AWS).
func errConsumerLimit(limit int, stream, acct string) error {
	return awsproto.Errorf(awsproto.LimitExceeded, "This request would exceed the limit of %d consumers registered to stream %s under account %s.", limit, stream, acct)
}

// eddy: the limit of 5 consumers in CREATING status per stream.
func errConsumerCreatingLimit(stream, acct string) error {
	return awsproto.Errorf(awsproto.LimitExceeded, "This request would exceed the limit of %d consumers in CREATING status for stream %s under account %s.", maxCreatingConsumers, stream, acct)
}

// eddy: a consumer addressed by StreamARN and ConsumerName that does not
// exist (AWS's text is not public; errConsumerARNNotFound covers ARNs).
func errConsumerNotFound(consumer, stream, acct string) error {
	return awsproto.Errorf(awsproto.ResourceNotFound, "Consumer %s under stream %s and account %s not found.", consumer, stream, acct)
}

// eddy: neither a ConsumerARN nor a StreamARN with a ConsumerName.
func errConsumerAddress() error {
	return awsproto.Errorf(awsproto.InvalidArgument, "Either ConsumerARN or both StreamARN and ConsumerName must be provided.")
}

// eddy: a ConsumerARN that disagrees with the StreamARN or ConsumerName
// given with it.
func errConsumerARNMismatch(arn, member, value string) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "ConsumerARN %s does not match %s %s.", arn, member, value)
}

// eddy: a ConsumerARN that matches the model's pattern but names no stream
// consumer.
func errConsumerARNInvalid(arn string) error {
	return awsproto.Errorf(awsproto.InvalidArgument, "ConsumerARN %s is not a valid consumer ARN.", arn)
}

// eddy: ListStreamConsumers with NextToken and StreamCreationTimestamp
// (the ListShards pattern).
func errListConsumersArgs() error {
	return awsproto.Errorf(awsproto.InvalidArgument, "NextToken and StreamCreationTimestamp cannot be provided together.")
}
