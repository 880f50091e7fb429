package e2e

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// TestValidationMessages sends representative bad requests as raw JSON
// (the SDK would refuse most of them itself) and checks AWS's texts.
func TestValidationMessages(t *testing.T) {
	e := start(t)
	create(t, e, e.Kinesis, "s", 1)
	long := strings.Repeat("a", 129)
	for _, c := range []struct{ op, body, typ, msg string }{
		{"CreateStream", `{}`, "ValidationException",
			"1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null"},
		{"CreateStream", `{"StreamName":"a b","ShardCount":1}`, "ValidationException",
			"1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"CreateStream", `{"StreamName":"` + long + `","ShardCount":1}`, "ValidationException",
			"1 validation error detected: Value '" + long + "' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128"},
		// Both the pattern and the length, pattern first.
		{"CreateStream", `{"StreamName":"","ShardCount":1}`, "ValidationException",
			"2 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
				"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"CreateStream", `{"StreamName":"x","ShardCount":0}`, "ValidationException",
			"1 validation error detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		// Model order: AWS's order for this enum is not recorded.
		{"CreateStream", `{"StreamName":"x","StreamModeDetails":{"StreamMode":"SOMETIMES"}}`, "ValidationException",
			"1 validation error detected: Value 'SOMETIMES' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]"},
		{"DescribeStream", `{"StreamName":"s","ExclusiveStartShardId":"a b"}`, "ValidationException",
			"1 validation error detected: Value 'a b' at 'exclusiveStartShardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"PutRecords", `{"Records":[{"Data":"eA=="}]}`, "ValidationException",
			"1 validation error detected: Value null at 'records.1.member.partitionKey' failed to satisfy constraint: Member must not be null"},
		{"GetRecords", `{}`, "ValidationException",
			"1 validation error detected: Value null at 'shardIterator' failed to satisfy constraint: Member must not be null"},
		// Type errors are SerializationExceptions with a capital Message.
		{"DescribeStream", `{"StreamName":true}`, "SerializationException", ""},
		{"DescribeStream", `{"StreamName":"s","Limit":"5"}`, "SerializationException", ""},
		{"PutRecord", `{"StreamName":"s","PartitionKey":"a","Data":"23456"}`, "SerializationException", ""},
		{"DescribeStream", `not json`, "SerializationException", ""},
	} {
		code, body := callJSON(t, e, c.op, c.body)
		if c.typ == "SerializationException" {
			if code != 400 || body["__type"] != c.typ || body["message"] != nil {
				t.Errorf("%s %s: %d %v", c.op, c.body, code, body)
			}
			continue
		}
		if code != 400 || body["__type"] != c.typ || body["message"] != c.msg {
			t.Errorf("%s %s:\ngot  %d %v\nwant %s %q", c.op, c.body, code, body, c.typ, c.msg)
		}
	}
	// AWS's serialization texts for the cases it names.
	code, body := callJSON(t, e, "DescribeStream", `{"StreamName":true}`)
	if code != 400 || body["Message"] != "class java.lang.Boolean can not be converted to an String" {
		t.Errorf("boolean for a string: %d %v", code, body)
	}
	code, body = callJSON(t, e, "DescribeStream", `{"StreamName":"s","Limit":"5"}`)
	if code != 400 || body["Message"] != "class java.lang.String can not be converted to an Integer" {
		t.Errorf("string for an integer: %d %v", code, body)
	}
	code, body = callJSON(t, e, "PutRecord", `{"StreamName":"s","PartitionKey":"a","Data":"23456"}`)
	if code != 400 || body["Message"] != "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5" {
		t.Errorf("bad base64: %d %v", code, body)
	}
	// Unknown operations.
	code, body = callJSON(t, e, "MakeCoffee", `{}`)
	if code != 400 || body["__type"] != "UnknownOperationException" {
		t.Errorf("unknown operation: %d %v", code, body)
	}
}

// TestFailedValidationWritesNothing: a request that fails validation (or a
// later argument check) changes nothing, for every kind of change.
func TestFailedValidationWritesNothing(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 1)
	_, err := k.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: map[string]string{"keep": "me"}})
	noErr(t, err)
	for _, c := range []struct{ op, body string }{
		{"CreateStream", `{"StreamName":"new","ShardCount":0}`},
		{"CreateStream", `{"StreamName":"new","ShardCount":1,"Tags":{"k":"` + strings.Repeat("v", 257) + `"}}`},
		{"PutRecord", `{"StreamName":"s","PartitionKey":"","Data":"eA=="}`},
		{"PutRecords", `{"StreamName":"s","Records":[{"PartitionKey":"a","Data":"eA=="},{"PartitionKey":"a","Data":"eA==","ExplicitHashKey":"1e5"}]}`},
		{"AddTagsToStream", `{"StreamName":"s","Tags":{"ok":"v","":"v"}}`},
		{"AddTagsToStream", `{"StreamName":"s","Tags":{"ok":"v","bad;":"v"}}`},
		{"RemoveTagsFromStream", `{"StreamName":"s","TagKeys":["keep","` + strings.Repeat("k", 129) + `"]}`},
		{"IncreaseStreamRetentionPeriod", `{"StreamName":"s","RetentionPeriodHours":9000}`},
		{"EnableEnhancedMonitoring", `{"StreamName":"s","ShardLevelMetrics":["IncomingBytes","Nope"]}`},
		{"UpdateMaxRecordSize", `{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","MaxRecordSizeInKiB":99999}`},
		{"PutResourcePolicy", `{"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","Policy":""}`},
		{"UpdateAccountSettings", `{"MinimumThroughputBillingCommitment":{"Status":"on"}}`},
	} {
		if code, body := callJSON(t, e, c.op, c.body); code != 400 {
			t.Errorf("%s %s: %d %v", c.op, c.body, code, body)
		}
	}
	ls, err := k.ListStreams(ctx, &kinesis.ListStreamsInput{})
	noErr(t, err)
	if len(ls.StreamNames) != 1 {
		t.Errorf("streams: %v", ls.StreamNames)
	}
	if n := len(readAll(t, k, "s", "0")); n != 0 {
		t.Errorf("%d records written", n)
	}
	tags, err := k.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("s")})
	noErr(t, err)
	if got := tagString(tags.Tags); got != "keep=me" {
		t.Errorf("tags: %s", got)
	}
	sum, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	noErr(t, err)
	if s := sum.StreamDescriptionSummary; *s.RetentionPeriodHours != 24 || *s.MaxRecordSizeInKiB != 1024 || len(s.EnhancedMonitoring[0].ShardLevelMetrics) != 0 {
		t.Errorf("summary changed: %+v", s)
	}
	pol, err := k.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")})
	noErr(t, err)
	if *pol.Policy != "{}" {
		t.Errorf("policy: %s", *pol.Policy)
	}
	as, err := k.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
	noErr(t, err)
	if as.MinimumThroughputBillingCommitment.Status != "DISABLED" {
		t.Errorf("account settings: %+v", as.MinimumThroughputBillingCommitment)
	}
}
