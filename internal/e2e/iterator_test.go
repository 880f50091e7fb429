package e2e

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// dataOf returns the records' data as strings.
func dataOf(recs []types.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, string(r.Data))
	}
	return out
}

func read(t *testing.T, k *kinesis.Client, it *string) *kinesis.GetRecordsOutput {
	t.Helper()
	out, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
	noErr(t, err)
	return out
}

// TestShardIteratorTypes positions iterators of all five types on a shard
// with five records written a second apart.
func TestShardIteratorTypes(t *testing.T) {
	e, fc := startFake(t)
	k := e.Kinesis
	createFake(t, e, fc, "s", 1)
	var seqs []string
	var times []time.Time
	for i := 0; i < 5; i++ {
		fc.Advance(time.Second)
		out, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("r" + itoa(i))})
		noErr(t, err)
		seqs = append(seqs, *out.SequenceNumber)
		times = append(times, fc.Now())
	}
	fc.Advance(time.Second)
	get := func(in kinesis.GetShardIteratorInput) []string {
		t.Helper()
		in.StreamName, in.ShardId = aws.String("s"), aws.String("shardId-000000000000")
		out, err := k.GetShardIterator(ctx, &in)
		noErr(t, err)
		return dataOf(read(t, k, out.ShardIterator).Records)
	}
	check := func(what string, got []string, want string) {
		t.Helper()
		if strings.Join(got, ",") != want {
			t.Errorf("%s: %v, want %s", what, got, want)
		}
	}
	check("TRIM_HORIZON", get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon}), "r0,r1,r2,r3,r4")
	check("AT_SEQUENCE_NUMBER", get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: &seqs[2]}), "r2,r3,r4")
	check("AFTER_SEQUENCE_NUMBER", get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: &seqs[2]}), "r3,r4")
	check("AFTER_SEQUENCE_NUMBER last", get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: &seqs[4]}), "")
	check("AT_TIMESTAMP exact", get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(times[1])}), "r1,r2,r3,r4")
	check("AT_TIMESTAMP between", get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(times[1].Add(500 * time.Millisecond))}), "r2,r3,r4")
	check("AT_TIMESTAMP before the stream", get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(t0.Add(-time.Hour))}), "r0,r1,r2,r3,r4")
	check("AT_TIMESTAMP now", get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(fc.Now())}), "")

	// The shard's StartingSequenceNumber reads from its first record.
	d, err := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")})
	noErr(t, err)
	start := d.StreamDescription.Shards[0].SequenceNumberRange.StartingSequenceNumber
	if *start >= seqs[0] {
		t.Fatalf("StartingSequenceNumber %s not below the first record's %s", *start, seqs[0])
	}
	check("AT_SEQUENCE_NUMBER start", get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: start}), "r0,r1,r2,r3,r4")
	check("AFTER_SEQUENCE_NUMBER start", get(kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: start}), "r0,r1,r2,r3,r4")

	// LATEST: nothing now, then what is written afterwards.
	latest := iter(t, k, "s", "shardId-000000000000", types.ShardIteratorTypeLatest)
	r := read(t, k, latest)
	if len(r.Records) != 0 || *r.MillisBehindLatest != 0 || r.NextShardIterator == nil {
		t.Fatalf("LATEST: %+v", r)
	}
	_, err = k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("r5")})
	noErr(t, err)
	check("LATEST then a write", dataOf(read(t, k, latest).Records), "r5")
	check("LATEST's next iterator", dataOf(read(t, k, r.NextShardIterator).Records), "r5")

	// The raw response has only ShardIterator; the records have no
	// EncryptionType (AWS omits it for unencrypted records) and timestamps
	// are epoch seconds with milliseconds.
	code, body := callJSON(t, e, "GetShardIterator", `{"StreamName":"s","ShardId":"0","ShardIteratorType":"TRIM_HORIZON"}`)
	if code != 200 || len(body) != 1 || body["ShardIterator"] == nil {
		t.Fatalf("raw GetShardIterator: %d %v", code, body)
	}
	_, body = callJSON(t, e, "GetRecords", map[string]any{"ShardIterator": body["ShardIterator"], "Limit": 1})
	rec := body["Records"].([]any)[0].(map[string]any)
	if len(rec) != 4 || rec["Data"] != "cjA=" || rec["PartitionKey"] != "k" || rec["SequenceNumber"] != seqs[0] {
		t.Fatalf("raw record: %v", rec)
	}
	if ts := rec["ApproximateArrivalTimestamp"].(interface{ String() string }).String(); ts != "1710489512" && ts != "1710489512.0" && ts != "1710489512.000" {
		t.Fatalf("ApproximateArrivalTimestamp %s, want %d", ts, times[0].Unix())
	}
	if times[0].Unix() != 1710489512 {
		t.Fatalf("test clock: %v", times[0])
	}
}

func TestShardIteratorErrors(t *testing.T) {
	e, fc := startFake(t)
	k := e.Kinesis
	createFake(t, e, fc, "s", 2)
	p, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("a"), Data: []byte("x")}) // shard 0
	noErr(t, err)
	p1, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("a"), ExplicitHashKey: aws.String("340282366920938463463374607431768211455"), Data: []byte("x")})
	noErr(t, err)
	if *p.ShardId != shardID(0) || *p1.ShardId != shardID(1) {
		t.Fatalf("routing: %s %s", *p.ShardId, *p1.ShardId)
	}
	gsi := func(stream, shard string, typ types.ShardIteratorType, seq *string, ts *time.Time) error {
		_, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: typ, StartingSequenceNumber: seq, Timestamp: ts})
		return err
	}
	const th, at, after = types.ShardIteratorTypeTrimHorizon, types.ShardIteratorTypeAtSequenceNumber, types.ShardIteratorTypeAfterSequenceNumber

	// Shard ids that do not parse: the raw id, before the stream is looked up.
	for _, raw := range []string{"shardId-x", "2147483648", "shardId-002147483648", "ABKLFD8", "2.14E4"} {
		wantErr(t, gsi("s", raw, th, nil, nil), "ResourceNotFoundException", "Could not find shard "+raw+" in stream s under account 000000000000.")
		wantErr(t, gsi("nope", raw, th, nil, nil), "ResourceNotFoundException", "Could not find shard "+raw+" in stream nope under account 000000000000.")
	}
	// A missing stream or shard: the normalized id, no final period.
	wantErr(t, gsi("nope", "shardId-000000000000", th, nil, nil), "ResourceNotFoundException", "Shard shardId-000000000000 in stream nope under account 000000000000 does not exist")
	wantErr(t, gsi("s", "shardId-000000000002", th, nil, nil), "ResourceNotFoundException", "Shard shardId-000000000002 in stream s under account 000000000000 does not exist")
	wantErr(t, gsi("s", "anything-5", th, nil, nil), "ResourceNotFoundException", "Shard shardId-000000000005 in stream s under account 000000000000 does not exist")
	wantErr(t, gsi("s", "2147483647", th, nil, nil), "ResourceNotFoundException", "Shard shardId-002147483647 in stream s under account 000000000000 does not exist")
	// Loose spellings of an existing shard work.
	for _, loose := range []string{"0", "shard-0", "x-000", "-00000000000"} {
		noErr(t, gsi("s", loose, th, nil, nil))
	}

	// Type and sequence number must agree.
	const spec = "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified "
	wantErr(t, gsi("s", "0", at, nil, nil), "InvalidArgumentException", spec+"AT_SEQUENCE_NUMBER and no StartingSequenceNumber.")
	wantErr(t, gsi("s", "0", after, nil, nil), "InvalidArgumentException", spec+"AFTER_SEQUENCE_NUMBER and no StartingSequenceNumber.")
	wantErr(t, gsi("s", "0", th, p.SequenceNumber, nil), "InvalidArgumentException", spec+"TRIM_HORIZON and also a StartingSequenceNumber.")
	wantErr(t, gsi("s", "0", types.ShardIteratorTypeLatest, p.SequenceNumber, nil), "InvalidArgumentException", spec+"LATEST and also a StartingSequenceNumber.")

	// AT_TIMESTAMP needs a timestamp, not in the future (milliseconds).
	wantErr(t, gsi("s", "0", types.ShardIteratorTypeAtTimestamp, nil, nil), "InvalidArgumentException",
		"Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
	now := fc.Now()
	wantErr(t, gsi("s", "0", types.ShardIteratorTypeAtTimestamp, nil, aws.Time(now.Add(1500*time.Millisecond))), "InvalidArgumentException",
		"The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: "+itoa(int(now.UnixMilli()+1500))+", currentTimestampInMillis: "+itoa(int(now.UnixMilli())))

	// Sequence numbers: malformed, of another shard, of another
	// incarnation of the stream, not issued yet.
	wantErr(t, gsi("s", "0", at, aws.String("1234"), nil), "InvalidArgumentException",
		"StartingSequenceNumber 1234 used in GetShardIterator on shard shardId-000000000000 in stream s under account 000000000000 is invalid.")
	wantErr(t, gsi("s", "0", at, p1.SequenceNumber, nil), "InvalidArgumentException",
		"Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used in a call to a shard with shardId-000000000000")
	wantErr(t, gsi("s", "shardId-000000000001", after, p.SequenceNumber, nil), "InvalidArgumentException",
		"Invalid StartingSequenceNumber. It encodes shardId-000000000000, while it was used in a call to a shard with shardId-000000000001")
	// eddy: a number above every record of the shard is not one it issued.
	n, _ := new(big.Int).SetString(*p.SequenceNumber, 10)
	notYet := n.Add(n, big.NewInt(1)).String()
	wantErr(t, gsi("s", "0", at, aws.String(notYet), nil), "InvalidArgumentException",
		"StartingSequenceNumber "+notYet+" used in GetShardIterator on shard shardId-000000000000 in stream s under account 000000000000 is invalid.")
	_, err = k.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	noErr(t, err)
	fc.Advance(time.Second)
	createFake(t, e, fc, "s", 2)
	wantErr(t, gsi("s", "0", at, p.SequenceNumber, nil), "InvalidArgumentException",
		"StartingSequenceNumber "+*p.SequenceNumber+" used in GetShardIterator on shard shardId-000000000000 in stream s under account 000000000000 is invalid because it did not come from this stream.")

	// Validation: the enum in AWS's order, the shard id pattern.
	code, body := callJSON(t, e, "GetShardIterator", `{"StreamName":"s","ShardId":"0","ShardIteratorType":"OLDEST"}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]")
	code, body = callJSON(t, e, "GetShardIterator", `{"StreamName":"s","ShardId":"shard 0","ShardIteratorType":"LATEST"}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value 'shard 0' at 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
	code, body = callJSON(t, e, "GetShardIterator", `{"StreamName":"s","ShardId":"0","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"x"}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value 'x' at 'startingSequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})")
	code, body = callJSON(t, e, "GetShardIterator", `{}`)
	wantJSONErr(t, code, body, "ValidationException", "2 validation errors detected: Value null at 'shardId' failed to satisfy constraint: Member must not be null; Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null")
}

// TestGetRecordsLimits: Limit, the 10,000-record cap, and fresh iterators.
func TestGetRecordsLimits(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 1)
	putN(t, k, "s", 10001)
	it := iter(t, k, "s", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon)

	r, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(3)})
	noErr(t, err)
	if strings.Join(dataOf(r.Records), ",") != "d0,d1,d2" || *r.NextShardIterator == *it || *r.MillisBehindLatest < 0 {
		t.Fatalf("Limit 3: %v", dataOf(r.Records))
	}
	// An iterator can be used again (it is valid for 5 minutes).
	again, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(1)})
	noErr(t, err)
	if strings.Join(dataOf(again.Records), ",") != "d0" || *again.NextShardIterator == *r.NextShardIterator {
		t.Fatalf("reuse: %v", dataOf(again.Records))
	}
	r2 := read(t, k, r.NextShardIterator)
	if len(r2.Records) != 9998 || string(r2.Records[0].Data) != "d3" || *r2.MillisBehindLatest != 0 {
		t.Fatalf("rest: %d records, first %q, behind %d", len(r2.Records), r2.Records[0].Data, *r2.MillisBehindLatest)
	}
	// Without Limit: at most 10,000.
	all := read(t, k, it)
	if len(all.Records) != 10000 || string(all.Records[9999].Data) != "d9999" {
		t.Fatalf("no limit: %d records", len(all.Records))
	}
	last := read(t, k, all.NextShardIterator)
	if len(last.Records) != 1 || string(last.Records[0].Data) != "d10000" || *last.MillisBehindLatest != 0 {
		t.Fatalf("after 10,000: %v", dataOf(last.Records))
	}
	// At the tip: nothing, but always a new iterator.
	tip := read(t, k, last.NextShardIterator)
	if len(tip.Records) != 0 || tip.NextShardIterator == nil || *tip.NextShardIterator == *last.NextShardIterator || tip.ChildShards != nil {
		t.Fatalf("tip: %+v", tip)
	}
	tip2 := read(t, k, tip.NextShardIterator)
	if len(tip2.Records) != 0 || *tip2.NextShardIterator == *tip.NextShardIterator {
		t.Fatalf("tip again: %+v", tip2)
	}

	code, body := callJSON(t, e, "GetRecords", map[string]any{"ShardIterator": *it, "Limit": 10001})
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000")
	code, body = callJSON(t, e, "GetRecords", map[string]any{"ShardIterator": *it, "Limit": 0})
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
	// The raw response of an open shard: Records, NextShardIterator,
	// MillisBehindLatest; no ChildShards.
	code, body = callJSON(t, e, "GetRecords", map[string]any{"ShardIterator": *tip2.NextShardIterator})
	if code != 200 || len(body) != 3 || body["NextShardIterator"] == nil || body["MillisBehindLatest"] == nil || len(body["Records"].([]any)) != 0 {
		t.Fatalf("raw GetRecords: %d %v", code, body)
	}
}

// TestGetRecordsBytes: at most 10 MiB per call.
func TestGetRecordsBytes(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 1)
	big := types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: make([]byte, 1<<20-1)}
	for i := 0; i < 3; i++ {
		_, err := k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{big, big, big, big}})
		noErr(t, err)
	}
	r := read(t, k, iter(t, k, "s", "0", types.ShardIteratorTypeTrimHorizon))
	bytes := 0
	for _, rec := range r.Records {
		bytes += len(rec.Data) + len(*rec.PartitionKey)
	}
	// Records of exactly 1 MiB (data and key): ten fill a response.
	if bytes != 10<<20 || len(r.Records) != 10 || *r.MillisBehindLatest < 0 {
		t.Fatalf("one read: %d records, %d bytes", len(r.Records), bytes)
	}
	rest := read(t, k, r.NextShardIterator)
	if len(r.Records)+len(rest.Records) != 12 {
		t.Fatalf("two reads: %d + %d records", len(r.Records), len(rest.Records))
	}
}

// TestMillisBehindLatest: 0 at the tip; otherwise how far the read is from
// the tip in time, growing while the reader stays behind.
func TestMillisBehindLatest(t *testing.T) {
	e, fc := startFake(t)
	k := e.Kinesis
	createFake(t, e, fc, "s", 1)
	for i := 0; i < 3; i++ {
		_, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("r" + itoa(i))})
		noErr(t, err)
		fc.Advance(10 * time.Second)
	}
	// Now: records at +0 s, +10 s, +20 s; the clock at +30 s.
	it := iter(t, k, "s", "0", types.ShardIteratorTypeTrimHorizon)
	one := func() int64 {
		t.Helper()
		r, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(1)})
		noErr(t, err)
		return *r.MillisBehindLatest
	}
	// eddy measures from the arrival of the last record returned: 30 s.
	// (The behaviour notes suggest the first record not returned, which
	// would be 20 s; AWS documents neither.)
	b1 := one()
	if b1 < 20000 || b1 > 30000 {
		t.Fatalf("behind after reading r0: %d ms", b1)
	}
	fc.Advance(5 * time.Second)
	if b2 := one(); b2 != b1+5000 {
		t.Fatalf("behind 5 s later: %d ms, want %d", b2, b1+5000)
	}
	all := read(t, k, it)
	if len(all.Records) != 3 || *all.MillisBehindLatest != 0 {
		t.Fatalf("read to the tip: %d records, %d ms behind", len(all.Records), *all.MillisBehindLatest)
	}
}

// TestIteratorTokens: expiry after 5 minutes with AWS's text, tampering,
// quoting, and foreign namespaces.
func TestIteratorTokens(t *testing.T) {
	e, fc := startFake(t)
	k := e.Kinesis
	createFake(t, e, fc, "s", 1)
	_, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
	noErr(t, err)
	it := iter(t, k, "s", "0", types.ShardIteratorTypeTrimHorizon)
	issued := fc.Now()

	// One pair of surrounding double quotes is tolerated, as on AWS.
	r, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(`"` + *it + `"`)})
	noErr(t, err)
	if len(r.Records) != 1 {
		t.Fatalf("quoted iterator read %d records", len(r.Records))
	}
	// Any change makes it invalid.
	for i := range *it {
		b := []byte(*it)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		_, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(string(b))})
		wantErr(t, err, "InvalidArgumentException", "Invalid ShardIterator.")
		if i > 40 {
			break
		}
	}
	for _, bad := range []string{"x", "AAAAAAAAAAE=", (*it)[:len(*it)-4], *it + "AAAA", strings.Repeat("A", 512)} {
		_, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(bad)})
		wantErr(t, err, "InvalidArgumentException", "Invalid ShardIterator.")
	}
	code, body := callJSON(t, e, "GetRecords", map[string]any{"ShardIterator": strings.Repeat("A", 513)})
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '"+strings.Repeat("A", 513)+"' at 'shardIterator' failed to satisfy constraint: Member must have length less than or equal to 512")
	code, body = callJSON(t, e, "GetRecords", map[string]any{"ShardIterator": ""})
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '' at 'shardIterator' failed to satisfy constraint: Member must have length greater than or equal to 1")

	// Another account's or region's caller cannot use it (eddy reports the
	// shard missing in the caller's namespace).
	_, err = client(e, "111111111111", "").GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
	wantErr(t, err, "ResourceNotFoundException", "Shard shardId-000000000000 in stream s under account 111111111111 does not exist")
	_, err = client(e, "", "eu-west-1").GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
	wantErr(t, err, "ResourceNotFoundException", "Shard shardId-000000000000 in stream s under account 000000000000 does not exist")

	// Valid for exactly 300,000 ms after it was issued, then expired.
	fc.Advance(5 * time.Minute)
	_, err = k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
	noErr(t, err)
	fc.Advance(time.Millisecond)
	_, err = k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
	wantErr(t, err, "ExpiredIteratorException", "Iterator expired. The iterator was created at time "+issued.Format("Mon Jan 02 15:04:05 UTC 2006")+
		" while right now it is "+fc.Now().Format("Mon Jan 02 15:04:05 UTC 2006")+" which is further in the future than the tolerated delay of 300000 milliseconds.")
	if !strings.Contains(err.Error(), "Fri Mar 15 08:0") {
		t.Fatalf("Java date format: %v", err)
	}

	// Iterators stay under the 512-character limit for the longest names.
	long := strings.Repeat("n", 128)
	createFake(t, e, fc, long, 1)
	lit := iter(t, k, long, "0", types.ShardIteratorTypeLatest)
	if len(*lit) > 512 {
		t.Fatalf("iterator of %d characters", len(*lit))
	}
	r = read(t, k, lit)
	if len(*r.NextShardIterator) > 512 {
		t.Fatalf("next iterator of %d characters", len(*r.NextShardIterator))
	}
}
