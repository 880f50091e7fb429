package kinesisapi

import (
	"errors"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// serializationMessage decodes body for op and returns the message of the
// SerializationException it must give.
func serializationMessage(t *testing.T, enc awsproto.Encoding, op string, body []byte) string {
	t.Helper()
	in := NewService(nil).Operations[op].NewInput()
	err := in.DecodeAWS(enc, body)
	var e *awsproto.Error
	if !errors.As(err, &e) || e.Exception != awsproto.Serialization {
		t.Fatalf("%s %q: got %v, want a SerializationException", op, body, err)
	}
	return e.Message
}

// AWS's messages for values of the wrong type, from kinesalite's
// test/helpers.js assertType (checked against AWS). JSON only: AWS's CBOR
// messages are not documented anywhere; eddy uses the same texts.
var typeCases = map[string][]struct{ value, msg string }{
	"String": {
		{`true`, "class java.lang.Boolean can not be converted to an String"},
		{`23`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{`-2147483648`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{`34.56`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{`[]`, "Start of list found where not expected"},
		{`{}`, "Start of structure or map found where not expected."},
	},
	"Boolean": {
		{`"23"`, "'23' can not be converted to an Boolean"},
		{`"hello"`, "'HELLO' can not be converted to an Boolean"},
		{`23`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean"},
		{`2147483648`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean"},
		{`[]`, "Start of list found where not expected"},
		{`{}`, "Start of structure or map found where not expected."},
	},
	"Integer": {
		{`"23"`, "class java.lang.String can not be converted to an Integer"},
		{`true`, "class java.lang.Boolean can not be converted to an Integer"},
		{`[]`, "Start of list found where not expected"},
		{`{}`, "Start of structure or map found where not expected."},
	},
	"Blob": {
		{`true`, "class java.lang.Boolean can not be converted to a Blob"},
		{`23`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob"},
		{`[]`, "Start of list found where not expected"},
		{`{}`, "Start of structure or map found where not expected."},
		{`"23456"`, "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
		{`"=+/="`, "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"},
		{`"+/+="`, "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
		{`"ab!d"`, "'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'"},
		{`"QQ=="`, ""},
		{`"QR=="`, "'QR==' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
	},
	"List": {
		{`"23"`, "Expected list or null"},
		{`true`, "Expected list or null"},
		{`23`, "Expected list or null"},
		{`{}`, "Start of structure or map found where not expected."},
	},
	"Map": {
		{`"23"`, "Expected map or null"},
		{`true`, "Expected map or null"},
		{`34.56`, "Expected map or null"},
		{`[]`, "Start of list found where not expected"},
	},
	"Structure": {
		{`"23"`, "Expected null"},
		{`true`, "Expected null"},
		{`23`, "Expected null"},
		{`[]`, "Start of list found where not expected"},
	},
	"Timestamp": {
		{`true`, "class java.lang.Boolean can not be converted to milliseconds since epoch"},
		{`"2015-01-01T00:00:00Z"`, "class java.lang.String can not be converted to milliseconds since epoch"},
		{`[]`, "Start of list found where not expected"},
		{`{}`, "Start of structure or map found where not expected."},
	},
}

// Where each type is tried: operation, body with %s for the value.
var typeSites = map[string][]struct{ op, body string }{
	"String":    {{"DescribeStream", `{"StreamName":%s}`}, {"PutRecords", `{"Records":[{"PartitionKey":%s}]}`}, {"RemoveTagsFromStream", `{"TagKeys":[%s]}`}, {"AddTagsToStream", `{"Tags":{"a":%s}}`}},
	"Boolean":   {{"DeleteStream", `{"EnforceConsumerDeletion":%s}`}},
	"Integer":   {{"GetRecords", `{"Limit":%s}`}},
	"Blob":      {{"PutRecord", `{"Data":%s}`}, {"PutRecords", `{"Records":[{"Data":%s}]}`}},
	"List":      {{"PutRecords", `{"Records":%s}`}},
	"Map":       {{"AddTagsToStream", `{"Tags":%s}`}},
	"Structure": {{"PutRecords", `{"Records":[%s]}`}, {"CreateStream", `{"StreamModeDetails":%s}`}},
	"Timestamp": {{"GetShardIterator", `{"Timestamp":%s}`}},
}

func TestSerializationMessages(t *testing.T) {
	for typ, cases := range typeCases {
		for _, site := range typeSites[typ] {
			for _, c := range cases {
				body := []byte(strings.Replace(site.body, "%s", c.value, 1))
				if c.msg == "" {
					in := NewService(nil).Operations[site.op].NewInput()
					if err := in.DecodeAWS(awsproto.JSON, body); err != nil {
						t.Errorf("%s %s: %v", site.op, body, err)
					}
					continue
				}
				if got := serializationMessage(t, awsproto.JSON, site.op, body); got != c.msg {
					t.Errorf("%s %s:\n got %q\nwant %q", site.op, body, got, c.msg)
				}
			}
		}
	}
}

// AWS accepts these strings for a Boolean (kinesalite validations/index.js).
func TestBooleanFromString(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{{"true", true}, {"FALSE", false}, {"1", true}, {"0", false}, {"yes", true}, {"no", false}} {
		var in DeleteStreamInput
		if err := in.DecodeAWS(awsproto.JSON, []byte(`{"EnforceConsumerDeletion":"`+c.s+`"}`)); err != nil {
			t.Fatalf("%q: %v", c.s, err)
		}
		if in.EnforceConsumerDeletion == nil || *in.EnforceConsumerDeletion != c.want {
			t.Errorf("%q: got %v", c.s, in.EnforceConsumerDeletion)
		}
	}
}

// Bodies that do not parse get a SerializationException without a message,
// as at AWS.
func TestMalformedJSON(t *testing.T) {
	for _, body := range []string{
		``, ` `, `null`, `[]`, `"x"`, `1`, `{`, `{"StreamName"}`, `{"StreamName":"s"`, `{"StreamName":"s",}`,
		`{"StreamName":"s"} x`, `{"Limit":01}`, `{"Limit":1.}`, `{"Limit":-}`, `{"StreamName":"\x01"}`,
		`{"StreamName":"\q"}`, `{"StreamName":"\u12"}`, "{\"StreamName\":\"\xff\"}", `{"x":[1,2}`, `{"x":{"a" 1}}`,
		`{"x":tru}`, `{"x":nul}`, `{'a':1}`, `{"a":1,"a"}`, strings.Repeat(`{"x":[`, 2000),
	} {
		if got := serializationMessage(t, awsproto.JSON, "DescribeStream", []byte(body)); got != "" {
			t.Errorf("%q: message %q, want none", body, got)
		}
	}
}

// Unknown members are skipped whatever they hold; null means absent.
func TestUnknownMembersAndNull(t *testing.T) {
	body := `{"Unknown":{"a":[1,2.5e3,"x\"y",true,false,null,{}],"b":{}},"StreamName":"s","Limit":null,"ExclusiveStartShardId":null,"Other":[]}`
	var in DescribeStreamInput
	if err := in.DecodeAWS(awsproto.JSON, []byte(body)); err != nil {
		t.Fatal(err)
	}
	if in.StreamName == nil || *in.StreamName != "s" || in.Limit != nil || in.ExclusiveStartShardId != nil {
		t.Errorf("decoded %+v", in)
	}
}

func TestJSONStringEscapes(t *testing.T) {
	var in DescribeStreamInput
	body := `{"StreamName":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00\ud800x"}`
	if err := in.DecodeAWS(awsproto.JSON, []byte(body)); err != nil {
		t.Fatal(err)
	}
	want := "a\"b\\c/d\b\f\n\r\t\u00e9\U0001F600\uFFFDx"
	if *in.StreamName != want {
		t.Errorf("got %q, want %q", *in.StreamName, want)
	}
	out := in.AppendAWS(awsproto.JSON, nil)
	var back DescribeStreamInput
	if err := back.DecodeAWS(awsproto.JSON, out); err != nil || *back.StreamName != want {
		t.Errorf("round trip through %s: %v %q", out, err, *back.StreamName)
	}
}
