package bench

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func TestRecordRoundTrip(t *testing.T) {
	for _, size := range []int{HeaderLen, 43, 100, 1024} {
		m := newRecordMaker(7, 3, size)
		kh := KeyHash("pk-1")
		data := m.data(kh, 12345, 987654321)
		if len(data) != size {
			t.Fatalf("size %d: got %d bytes", size, len(data))
		}
		// The base64 of header+filler is the concatenation of both.
		b64 := m.appendB64([]byte("x"), kh, 12345, 987654321)
		if got, want := string(b64[1:]), base64.StdEncoding.EncodeToString(data); got != want {
			t.Fatalf("size %d: base64 %q, want %q", size, got, want)
		}
		h, err := ParseRecord(data, "pk-1")
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if h != (Header{Run: 7, Producer: 3, KeyHash: kh, Counter: 12345, SendNs: 987654321, Size: uint32(size)}) {
			t.Fatalf("size %d: header %+v", size, h)
		}
	}
}

func TestParseRecordDetectsDamage(t *testing.T) {
	m := newRecordMaker(1, 1, 100)
	good := m.data(KeyHash("k"), 5, 1)
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x10
		_, err := ParseRecord(bad, "k")
		if i < 4 {
			if !errors.Is(err, ErrForeign) {
				t.Fatalf("byte %d flipped in the magic: %v", i, err)
			}
			continue
		}
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("byte %d flipped: err %v, want corrupt", i, err)
		}
	}
	if _, err := ParseRecord(good[:99], "k"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("truncated: %v", err)
	}
	if _, err := ParseRecord(good, "other"); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := ParseRecord([]byte("hello"), "k"); !errors.Is(err, ErrForeign) {
		t.Fatalf("foreign: %v", err)
	}
}

func TestScanPutRecords(t *testing.T) {
	ok := func(s string) *string { return &s }
	out := kinesisapi.PutRecordsOutput{FailedRecordCount: new(int32), Records: []kinesisapi.PutRecordsResultEntry{
		{SequenceNumber: ok("49590338271490256608559692538361571095921575989136588898"), ShardId: ok("shardId-000000000000")},
		{ErrorCode: ok("ProvisionedThroughputExceededException"), ErrorMessage: ok(`Rate exceeded for shard "x" \ in stream`)},
		{SequenceNumber: ok("2"), ShardId: ok("shardId-000000000001")},
	}}
	gen := out.AppendAWS(awsproto.JSON, nil)
	spaced := []byte(`{ "EncryptionType" : "NONE", "Records" : [ {"ShardId":"shardId-000000000000", "x":{"a":[1,2,{"b":null}]},
		"SequenceNumber":"49590338271490256608559692538361571095921575989136588898"} , {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate \"exceeded\"","SequenceNumber":null} ,
		{"SequenceNumber":"2","ShardId":"shardId-000000000001"} ], "FailedRecordCount" : 1 }`)
	for name, body := range map[string][]byte{"generated": gen, "spaced": spaced} {
		got, err := scanPutRecords(body, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != 3 || string(got[0].seq) != *out.Records[0].SequenceNumber || string(got[0].shard) != "shardId-000000000000" ||
			got[1].seq != nil || string(got[1].errCode) != "ProvisionedThroughputExceededException" ||
			string(got[2].seq) != "2" || got[2].errCode != nil {
			t.Fatalf("%s: %+v", name, got)
		}
	}
	for _, bad := range []string{``, `{`, `{"Records":[{"SequenceNumber":"1"`, `{"Records":[}`, `[]`, `{"Other":1}`, `{"Records":[{"ShardId":"a\"} ]}`} {
		if _, err := scanPutRecords([]byte(bad), nil); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestSeqHash(t *testing.T) {
	seen := map[uint64]string{}
	for i := range 100000 {
		s := fmt.Sprintf("4959033827149025660855969253836157109592157598913%07d", i)
		h := seqHash(s)
		if o, dup := seen[h]; dup {
			t.Fatalf("%s and %s hash alike", s, o)
		}
		seen[h] = s
		if seqHashBytes([]byte(s)) != h {
			t.Fatal("seqHash and seqHashBytes differ")
		}
	}
}

func TestSeqLess(t *testing.T) {
	for _, c := range []struct {
		a, b string
		less bool
	}{{"1", "2", true}, {"9", "10", true}, {"10", "9", false}, {"5", "5", false}, {"123", "124", true}} {
		if seqLess(c.a, c.b) != c.less {
			t.Errorf("seqLess(%s, %s) != %v", c.a, c.b, c.less)
		}
	}
}

func TestHistogram(t *testing.T) {
	var h Histogram
	for i := 1; i <= 10000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{.5, 5000 * time.Microsecond}, {.9, 9000 * time.Microsecond}, {.99, 9900 * time.Microsecond}, {1, 10000 * time.Microsecond}} {
		got := h.Quantile(c.q)
		if d := float64(got-c.want) / float64(c.want); d > 0.02 || d < -0.02 {
			t.Errorf("q%.2f = %v, want %v ± 2%%", c.q, got, c.want)
		}
	}
	var h2 Histogram
	h2.Record(time.Hour)
	h.Merge(&h2)
	if h.Quantile(1) != time.Hour || h.Count() != 10001 {
		t.Fatalf("merge: max %v count %d", h.Quantile(1), h.Count())
	}
	for v := int64(0); v < 1<<40; v = v*3/2 + 1 {
		i := histIndex(v)
		if got := histValue(i); histIndex(got) != i {
			t.Fatalf("value %d: bucket %d, middle %d in bucket %d", v, i, got, histIndex(got))
		}
	}
}

func TestKeyDist(t *testing.T) {
	for in, want := range map[string]string{"uniform": "uniform", "hot": "hot:0.9", "hot:0.5": "hot:0.5", "fixed:7": "fixed:7"} {
		d, err := ParseKeyDist(in)
		if err != nil || d.String() != want {
			t.Errorf("%s: %v %v", in, d, err)
		}
	}
	for _, bad := range []string{"", "fixed", "fixed:0", "hot:2", "uniform:3", "zipf"} {
		if _, err := ParseKeyDist(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestAckLogRoundTrip(t *testing.T) {
	a := newAckTable(9, 1)
	for i := range 1000 {
		c := a.next()
		a.sent(c)
		switch i % 4 {
		case 0:
			a.ack(c, "shardId-000000000001", fmt.Sprint(1000+i))
		case 1:
			a.ambiguous(c)
			a.ack(c, "shardId-000000000002", fmt.Sprint(1000+i))
		case 2:
			a.failed(c)
		}
	}
	b := newAckTable(9, 2)
	path := filepath.Join(t.TempDir(), "acks")
	if err := WriteAckLog(path, []*ackTable{a, b}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadAckLog(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || fmt.Sprint(got[0].State) != fmt.Sprint(a.State) || fmt.Sprint(got[0].Seq) != fmt.Sprint(a.Seq) ||
		fmt.Sprint(got[0].Shard) != fmt.Sprint(a.Shard) || strings.Join(got[0].Shards, ",") != strings.Join(a.Shards, ",") || got[1].Producer != 2 {
		t.Fatal("ack log round trip differs")
	}
	// A damaged file is refused.
	raw, _ := readFile(path)
	raw[100] ^= 1
	writeFile(t, path, raw)
	if _, err := ReadAckLog(path); err == nil {
		t.Fatal("damaged ack log accepted")
	}
}

// scanRecords reads what the generated encoders write for GetRecords and
// SubscribeToShardEvent, including a "\/" escape in base64 data.
func TestScanRecords(t *testing.T) {
	m := newRecordMaker(1, 2, 120)
	var recs []kinesisapi.Record
	for i := range 50 {
		recs = append(recs, kinesisapi.Record{SequenceNumber: fmt.Sprint(1000 + i), PartitionKey: fmt.Sprint("k", i), Data: m.data(KeyHash(fmt.Sprint("k", i)), uint64(i), 5)})
	}
	it, behind := "iter/+=", int64(7)
	get := (&kinesisapi.GetRecordsOutput{Records: recs, NextShardIterator: &it, MillisBehindLatest: &behind}).AppendAWS(awsproto.JSON, nil)
	ev := (&kinesisapi.SubscribeToShardEvent{Records: recs[:2], ContinuationSequenceNumber: "1001", ChildShards: []kinesisapi.ChildShard{{ShardId: "s", ParentShards: []string{"p"}, HashKeyRange: &kinesisapi.HashKeyRange{StartingHashKey: "0", EndingHashKey: "1"}}}}).AppendAWS(awsproto.JSON, nil)
	var res readResult
	if err := scanRecords(get, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.records) != 50 || string(res.next) != it || !res.hasNext || res.behind != 7 || res.childShards {
		t.Fatalf("%+v", res)
	}
	for i, r := range res.records {
		if string(r.seq) != recs[i].SequenceNumber || string(r.pk) != recs[i].PartitionKey || !bytes.Equal(r.data, recs[i].Data) {
			t.Fatalf("record %d differs", i)
		}
	}
	if err := scanRecords(ev, &res); err != nil || len(res.records) != 2 || string(res.next) != "1001" || !res.childShards || res.behind != 0 {
		t.Fatalf("%v %+v", err, res)
	}
	escaped := []byte(strings.Replace(`{"Records":[{"SequenceNumber":"1","PartitionKey":"k","Data":"`+base64.StdEncoding.EncodeToString([]byte{0xff, 0xff, 0xff})+`"}],"NextShardIterator":null}`, "/", `\/`, -1))
	if err := scanRecords(escaped, &res); err != nil || !bytes.Equal(res.records[0].data, []byte{0xff, 0xff, 0xff}) || res.hasNext {
		t.Fatalf("escaped: %v %+v", err, res)
	}
}
