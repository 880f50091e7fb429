package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

func TestStreamTags(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 1)
	name := aws.String("s")
	list := func(in *kinesis.ListTagsForStreamInput) (string, bool) {
		t.Helper()
		in.StreamName = name
		out, err := k.ListTagsForStream(ctx, in)
		noErr(t, err)
		return tagString(out.Tags), *out.HasMoreTags
	}
	if got, more := list(&kinesis.ListTagsForStreamInput{}); got != "" || more {
		t.Fatalf("new stream tags: %q", got)
	}
	_, err := k.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: map[string]string{"c": "3", "a": "1", "b": "", "key with space": "v/=+-@_.:"}})
	noErr(t, err)
	_, err = k.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: map[string]string{"a": "one", "ünïcödé": "日本"}})
	noErr(t, err)
	const all = "a=one,b=,c=3,key with space=v/=+-@_.:,ünïcödé=日本"
	if got, more := list(&kinesis.ListTagsForStreamInput{}); got != all || more {
		t.Fatalf("tags: %q more=%v", got, more)
	}
	if got, more := list(&kinesis.ListTagsForStreamInput{Limit: aws.Int32(2)}); got != "a=one,b=" || !more {
		t.Fatalf("Limit 2: %q more=%v", got, more)
	}
	if got, more := list(&kinesis.ListTagsForStreamInput{Limit: aws.Int32(2), ExclusiveStartTagKey: aws.String("b")}); got != "c=3,key with space=v/=+-@_.:" || !more {
		t.Fatalf("after b: %q more=%v", got, more)
	}
	if got, more := list(&kinesis.ListTagsForStreamInput{ExclusiveStartTagKey: aws.String("bb")}); got != "c=3,key with space=v/=+-@_.:,ünïcödé=日本" || more {
		t.Fatalf("after bb: %q more=%v", got, more)
	}
	if got, more := list(&kinesis.ListTagsForStreamInput{Limit: aws.Int32(5)}); got != all || more {
		t.Fatalf("Limit 5 of 5: %q more=%v", got, more)
	}
	// Empty values come back as "" (the raw body has the Value key).
	_, body := callJSON(t, e, "ListTagsForStream", `{"StreamName":"s","ExclusiveStartTagKey":"a","Limit":1}`)
	if tags := body["Tags"].([]any); len(tags) != 1 || tags[0].(map[string]any)["Value"] != "" || body["HasMoreTags"] != true {
		t.Fatalf("raw: %v", body)
	}

	// Removing: unknown keys are ignored.
	_, err = k.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: name, TagKeys: []string{"c", "nope", "key with space"}})
	noErr(t, err)
	if got, _ := list(&kinesis.ListTagsForStreamInput{}); got != "a=one,b=,ünïcödé=日本" {
		t.Fatalf("after removing: %q", got)
	}
	code, body := callJSON(t, e, "RemoveTagsFromStream", `{"StreamName":"s","TagKeys":["b"]}`)
	if code != 200 || body != nil {
		t.Fatalf("RemoveTagsFromStream answers with an empty body: %d %v", code, body)
	}

	// Character rules, AWS's texts.
	for _, bad := range []string{"a;b", "tab\t", "new\nline", "com,ma"} {
		_, err = k.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: map[string]string{bad: "v"}})
		wantErr(t, err, "InvalidArgumentException", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.")
		_, err = k.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: map[string]string{"k": bad}})
		wantErr(t, err, "InvalidArgumentException", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.")
		_, err = k.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: name, TagKeys: []string{bad}})
		wantErr(t, err, "InvalidArgumentException", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.")
	}
	_, err = k.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: map[string]string{"100%": "v"}})
	wantErr(t, err, "InvalidArgumentException", "Failed to add tags to stream s under account 000000000000 because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.")
	_, err = k.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: name, TagKeys: []string{"100%"}})
	wantErr(t, err, "InvalidArgumentException", "Failed to remove tags from stream s under account 000000000000 because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.")

	// 50 tags per stream, counted after overwrites.
	tags := map[string]string{}
	for i := 0; i < 48; i++ {
		tags["t"+itoa(i)] = "v"
	}
	tags["a"] = "overwritten" // existing key: does not count again
	_, err = k.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: tags})
	noErr(t, err) // a, ünïcödé and 48 new: 50
	_, err = k.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: name, Tags: map[string]string{"one-more": "v"}})
	wantErr(t, err, "InvalidArgumentException", "Failed to add tags to stream s under account 000000000000 because a given stream cannot have more than 50 tags associated with it.")
	out, err := k.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: name})
	noErr(t, err)
	if len(out.Tags) != 50 {
		t.Fatalf("%d tags", len(out.Tags))
	}

	// Validation and not found.
	code, body = callJSON(t, e, "AddTagsToStream", `{"StreamName":"s","Tags":{}}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1")
	code, body = callJSON(t, e, "RemoveTagsFromStream", `{"StreamName":"s","TagKeys":[""]}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '[]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]")
	code, body = callJSON(t, e, "ListTagsForStream", `{"StreamName":"s","Limit":0}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = k.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
	_, err = k.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("nope"), Tags: map[string]string{"a": "b"}})
	wantErr(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
}

// TestResourceTags: TagResource, UntagResource and ListTagsForResource on
// a stream ARN share the stream's tags with the stream operations.
func TestResourceTags(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 1)
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")
	_, err := k.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"b": "2", "a": "1", "x:y": "z"}})
	noErr(t, err)
	out, err := k.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn})
	noErr(t, err)
	if got := tagString(out.Tags); got != "a=1,b=2,x:y=z" {
		t.Fatalf("resource tags: %q", got)
	}
	st, err := k.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("s")})
	noErr(t, err)
	if got := tagString(st.Tags); got != "a=1,b=2,x:y=z" {
		t.Fatalf("stream view of resource tags: %q", got)
	}
	_, err = k.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"a", "nope"}})
	noErr(t, err)
	_, err = k.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: map[string]string{"c": "3"}})
	noErr(t, err)
	out, err = k.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn})
	noErr(t, err)
	if got := tagString(out.Tags); got != "b=2,c=3,x:y=z" {
		t.Fatalf("after untag and add: %q", got)
	}
	_, body := callJSON(t, e, "ListTagsForResource", map[string]any{"ResourceARN": *arn})
	if len(body) != 1 || len(body["Tags"].([]any)) != 3 {
		t.Fatalf("raw ListTagsForResource: %v", body)
	}

	// Errors.
	_, err = k.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/nope"), Tags: map[string]string{"a": "b"}})
	wantErr(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
	_, err = k.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"a;": "b"}})
	wantErr(t, err, "InvalidArgumentException", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.")
	// eddy: an ARN of another account or region is refused (AWS answers
	// AccessDenied for resources the caller may not reach; its text is not
	// public).
	_, err = k.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:111111111111:stream/s")})
	wantErr(t, err, "AccessDeniedException", "Resource arn:aws:kinesis:us-east-1:111111111111:stream/s is not in account 000000000000 and region us-east-1 of this request.")
	_, err = k.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String("arn:aws:kinesis:eu-west-1:000000000000:stream/s"), TagKeys: []string{"a"}})
	wantErr(t, err, "AccessDeniedException", "Resource arn:aws:kinesis:eu-west-1:000000000000:stream/s is not in account 000000000000 and region us-east-1 of this request.")
	// A consumer ARN of a stream without that consumer (eddy's text).
	_, err = k.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1700000000")})
	wantErr(t, err, "ResourceNotFoundException", "Consumer arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1700000000 not found.")
	code, body := callJSON(t, e, "ListTagsForResource", `{"ResourceARN":"arn:aws:s3:::bucket"}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value 'arn:aws:s3:::bucket' at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:.*stream/\\S+")
}
