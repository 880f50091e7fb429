package logstore

import (
	"bytes"
	"context"
	"encoding/hex"
	"testing"
)

// TestGoldenHeaders fails when an encoded on-disk layout changes. A change
// here needs a new format version and an update of docs/format/.
func TestGoldenHeaders(t *testing.T) {
	var rec []byte
	rec = appendRecord(rec, 7, 1700000000123, &Entry{PartitionKey: []byte("pk"), ExplicitHashKey: bytes.Repeat([]byte{0xab}, 16), Data: []byte("data"), Flags: 3})
	var ent [entryHeaderLen]byte
	putEntryHeader(ent[:], entryRecords, 2, 9, 7, 100)
	frame := make([]byte, frameHeaderLen, frameHeaderLen+entryHeaderLen)
	frame = append(frame, ent[:]...)
	sealFrame(frame, 5)
	var idx [indexEntryLen]byte
	encodeIndexEntry(idx[:], indexEntry{num: 7, ts: 1700000000123, off: 40}, idxKindEntry)
	ckpt := encodeCheckpoint(&checkpointData{replay: journalPos{file: 3, off: 32}, nextSeq: 11, createdMs: 1700000000000,
		logs: []ckptLog{{id: 9, inc: 2, retentionMs: 86400000, next: 8, lastTs: 1700000000123, floor: 1, closed: true,
			segs:   []ckptSeg{{base: 1, last: 7, firstTs: 1700000000000, lastTs: 1700000000123, size: 500, idxCount: 1, sealed: true}},
			damage: []lostRange{{3, 4}}}}})
	cases := []struct {
		name string
		got  []byte
		want string
	}{
		{"journal header", encodeJournalHeader(3, 4096), "454444594a524e4c010028000000000003000000000000000010000000000000000000001199b6b3"},
		{"segment header", encodeSegHeader(segmentMagic, segmentVersion, 9, 7), "454444595345474d010028000000000009000000000000000700000000000000000000007b04f31a"},
		{"index header", encodeSegHeader(indexMagic, indexVersion, 9, 7), "45444459494e445801002800000000000900000000000000070000000000000000000000bd06cc4c"},
		{"record frame", rec, "2a000000cd6fe24d07000000000000007b68e5cf8b01000001030200706babababababababababababababababab64617461"},
		{"journal frame", frame, "454a465220000000050000000000000026cfd7770100000002000000090000000000000007000000000000006400000000000000"},
		{"index entry", idx[:], "07000000000000007b68e5cf8b0100002800000000000000010000002ae0fe4e"},
		{"checkpoint", ckpt, "45444459434b50540100400001000000030000000000000020000000000000000b000000000000000068e5cf8b010000800000000000000000000000f512ef8309000000000000000200000000000000005c26050000000008000000000000007b68e5cf8b010000010000000000000001000000010000000100000000000000010000000000000007000000000000000068e5cf8b0100007b68e5cf8b010000f4010000000000000100000001000000030000000000000004000000000000007fd0f259"},
	}
	for _, c := range cases {
		if got := hex.EncodeToString(c.got); got != c.want {
			t.Errorf("%s layout changed:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

// TestBoundedColdRead checks that reading 10,000 records from the middle of
// an old log costs a few reads (index lookup, then large preads), not a scan.
func TestBoundedColdRead(t *testing.T) {
	h := newMemHarness(t, nil)
	h.s.CreateLog(1, LogConfig{})
	es := makeBatch(500, 100)
	for range 200 { // 100,000 records, about 13 MiB
		if _, err := h.s.Append(context.Background(), []Batch{{Log: 1, Entries: es}}); err != nil {
			t.Fatal(err)
		}
	}
	h.s.Close()
	h.mustOpen()
	h.m.fault.ResetCounts()
	r, err := h.s.Read(1, 50_000, 10_000, 10<<20)
	if err != nil || len(r.Records) != 10_000 || r.Records[0].Number != 50_000 {
		t.Fatalf("read: %d records, %v", len(r.Records), err)
	}
	reads := h.m.fault.TotalCounts().Reads
	if reads > 4 {
		t.Fatalf("%d reads for 10,000 records", reads)
	}
	t.Logf("%d reads", reads)
}
