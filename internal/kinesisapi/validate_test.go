package kinesisapi

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// decodeOp decodes a JSON request body for operation op.
func decodeOp(t *testing.T, op, body string) awsproto.Input {
	t.Helper()
	o := NewService(nil).Operations[op]
	if o == nil {
		t.Fatalf("no operation %s", op)
	}
	in := o.NewInput()
	if err := in.DecodeAWS(awsproto.JSON, []byte(body)); err != nil {
		t.Fatalf("%s: decode %s: %v", op, body, err)
	}
	return in
}

func validationMessage(t *testing.T, in awsproto.Input) string {
	t.Helper()
	err := in.Validate()
	if err == nil {
		return ""
	}
	var e *awsproto.Error
	if !errors.As(err, &e) || e.Exception != awsproto.Validation {
		t.Fatalf("Validate: %v, want a ValidationException", err)
	}
	return e.Message
}

// The expected messages are AWS's, from kinesalite's tests (which its author
// checked against AWS), adapted where the model has changed since (StreamName
// is optional now that StreamARN may be given instead; limits are larger).
// AWS does not list violations in a stable order (kinesalite compares them as
// a set); eddy lists them in model order.
func TestValidationMessages(t *testing.T) {
	name129 := strings.Repeat("a", 129)
	name257 := strings.Repeat("a", 257)
	cases := []struct {
		name, op, body, want string
	}{
		{"missing required", "PutRecords", `{}`,
			"1 validation error detected: Value null at 'records' failed to satisfy constraint: Member must not be null"},
		{"empty list and name", "PutRecords", `{"StreamName":"","Records":[]}`,
			"3 validation errors detected: " +
				"Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
				"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"list element members", "PutRecords", `{"StreamName":"","Records":[{"PartitionKey":"","Data":"","ExplicitHashKey":""}]}`,
			"4 validation errors detected: " +
				"Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); " +
				"Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
				"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"long values", "PutRecords", `{"StreamName":"` + name129 + `","Records":[{"PartitionKey":"` + name257 + `","Data":"","ExplicitHashKey":""}]}`,
			"3 validation errors detected: " +
				"Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); " +
				"Value '" + name257 + "' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256; " +
				"Value '" + name129 + "' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"missing nested required", "PutRecords", `{"Records":[{}]}`,
			"2 validation errors detected: " +
				"Value null at 'records.1.member.data' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'records.1.member.partitionKey' failed to satisfy constraint: Member must not be null"},
		{"enum, in AWS's order", "GetShardIterator", `{"StreamName":"","ShardIteratorType":"","ShardId":"","StartingSequenceNumber":""}`,
			"6 validation errors detected: " +
				"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
				"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
				"Value '' at 'shardId' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]; " +
				"Value '' at 'startingSequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})"},
		{"value range", "CreateStream", `{"StreamName":"s","ShardCount":0}`,
			"1 validation error detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"clamped integer", "GetRecords", `{"ShardIterator":"x","Limit":100000000000}`,
			"1 validation error detected: Value '2147483647' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"},
		{"truncated fraction", "GetRecords", `{"ShardIterator":"x","Limit":0.9}`,
			"1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"empty map", "AddTagsToStream", `{"StreamName":"s","Tags":{}}`,
			"1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"map key", "AddTagsToStream", `{"StreamName":"s","Tags":{"a":"1","` + name129 + `":"3"}}`,
			"1 validation error detected: Value '{a=1, " + name129 + "=3}' at 'tags' failed to satisfy constraint: " +
				"Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]"},
		{"map value", "AddTagsToStream", `{"StreamName":"s","Tags":{"a":"1","c":"` + name257 + `"}}`,
			"1 validation error detected: Value '{a=1, c=" + name257 + "}' at 'tags' failed to satisfy constraint: " +
				"Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]"},
		{"list of scalars", "RemoveTagsFromStream", `{"StreamName":"s","TagKeys":["a","` + name129 + `","b"]}`,
			"1 validation error detected: Value '[a, " + name129 + ", b]' at 'tagKeys' failed to satisfy constraint: " +
				"Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]"},
		{"list of enums", "EnableEnhancedMonitoring", `{"StreamName":"s","ShardLevelMetrics":["ALL","bogus"]}`,
			"1 validation error detected: Value '[ALL, bogus]' at 'shardLevelMetrics' failed to satisfy constraint: " +
				"Member must satisfy constraint: [Member must satisfy enum value set: [IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]]"},
		{"nested structure", "SubscribeToShard", `{"ConsumerARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1","ShardId":"shardId-0","StartingPosition":{}}`,
			"1 validation error detected: Value null at 'startingPosition.type' failed to satisfy constraint: Member must not be null"},
		{"characters are UTF-16 units", "PutRecords", `{"Records":[{"Data":"","PartitionKey":"` + strings.Repeat("\U0001F600", 129) + `"}]}`,
			"1 validation error detected: Value '" + strings.Repeat("\U0001F600", 129) + "' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"valid", "PutRecords", `{"StreamName":"s","Records":[{"Data":"AAEC","PartitionKey":"` + strings.Repeat("\u00e9", 256) + `","ExplicitHashKey":"340282366920938463463374607431768211455"}]}`, ""},
		{"valid without constraints", "DescribeLimits", `{}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := validationMessage(t, decodeOp(t, c.op, c.body)); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestValidationStopsAtTenViolations(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"StreamName":"","Records":[`)
	for i := range 501 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"PartitionKey":"","Data":""}`)
	}
	b.WriteString(`]}`)
	got := validationMessage(t, decodeOp(t, "PutRecords", b.String()))
	entry := "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@"
	if !strings.HasPrefix(got, "10 validation errors detected: Value '["+entry) {
		t.Fatalf("got %.200s", got)
	}
	parts := strings.Split(got, "; ")
	if len(parts) != 10 {
		t.Fatalf("%d violations listed, want 10", len(parts))
	}
	// Equal elements render equally, as at AWS (Java hash codes of equal values).
	list := parts[0][strings.Index(parts[0], "[")+1 : strings.Index(parts[0], "]")]
	elems := strings.Split(list, ", ")
	if len(elems) != 501 || elems[0] != elems[500] || !strings.HasPrefix(elems[0], entry) {
		t.Errorf("list rendered as %d elements, first %q", len(elems), elems[0])
	}
	if !strings.HasSuffix(parts[0], "' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500") {
		t.Errorf("first violation %.100s...%s", parts[0], parts[0][len(parts[0])-100:])
	}
	for i, p := range parts[1:] {
		want := "Value '' at 'records." + strconv.Itoa(i+1) + ".member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1"
		if p != want {
			t.Errorf("violation %d: %s", i+2, p)
		}
	}
}

func TestValidationBlobLength(t *testing.T) {
	data := base64.StdEncoding.EncodeToString(make([]byte, 10485761))
	got := validationMessage(t, decodeOp(t, "PutRecord", `{"StreamName":"s","PartitionKey":"k","Data":"`+data+`"}`))
	want := "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=10485761 cap=10485761]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 10485760"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// A required string sent empty is present: it fails its length, not
// "must not be null".
func TestRequiredEmptyStringIsPresent(t *testing.T) {
	got := validationMessage(t, decodeOp(t, "GetRecords", `{"ShardIterator":""}`))
	want := "1 validation error detected: Value '' at 'shardIterator' failed to satisfy constraint: Member must have length greater than or equal to 1"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = validationMessage(t, decodeOp(t, "GetRecords", `{"ShardIterator":null}`))
	want = "1 validation error detected: Value null at 'shardIterator' failed to satisfy constraint: Member must not be null"
	if got != want {
		t.Errorf("JSON null: got %s\nwant %s", got, want)
	}
}
