package logstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestContract runs the log contract against every configuration.
func TestContract(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c config)
	}{
		{"append-read-reopen", testAppendRead},
		{"batches-and-errors", testBatches},
		{"validation", testValidation},
		{"read-limits", testReadLimits},
		{"close-log", testCloseLog},
		{"delete-log", testDeleteLog},
		{"retention", testRetention},
		{"seek-timestamp", testSeekTimestamp},
		{"watch", testWatch},
		{"concurrent", testConcurrent},
		{"store-closed", testStoreClosed},
	}
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) { tc.fn(t, c) })
			}
		})
	}
}

func testAppendRead(t *testing.T, c config) {
	h := newHarness(t, c)
	h.create(1, 0)
	h.create(2, 0)
	a := h.appendN(1, 0, 300, 7, 100)
	b := h.appendN(2, 0, 50, 50, 3000)
	h.check(1, 1, a)
	h.check(2, 1, b)
	h.reopen()
	h.check(1, 1, a)
	h.check(2, 1, b)
	a = append(a, h.appendN(1, 300, 100, 1, 10)...)
	h.check(1, 1, a)
	h.check(1, 150, a[149:])
	if err := h.s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	h.reopen()
	h.check(1, 1, a)
	h.check(1, 299, a[298:])
	// a big record and an empty one
	big := Entry{PartitionKey: []byte("k"), Data: bytes.Repeat([]byte("x"), 1<<20), ExplicitHashKey: bytes.Repeat([]byte{7}, 16)}
	empty := Entry{PartitionKey: []byte("e")}
	res, err := h.s.Append(context.Background(), []Batch{{Log: 2, Entries: []Entry{big, empty}}})
	if err != nil || res[0].Err != nil || res[0].First != 51 {
		t.Fatalf("append big: %v %+v", err, res)
	}
	b = append(b, big, empty)
	h.check(2, 1, b)
	h.reopen()
	h.check(2, 1, b)
	info, err := h.s.Info(2)
	if err != nil || info.Tail != 53 || info.TrimHorizon != 1 || info.Closed || info.BytesOnDisk == 0 || len(info.Damage) != 0 {
		t.Fatalf("Info: %+v %v", info, err)
	}
	if ids := h.s.Logs(); len(ids) != 2 || ids[0] != 1 || ids[1] != 2 {
		t.Fatalf("Logs: %v", ids)
	}
	if d := h.s.Damage(); len(d) != 0 {
		t.Fatalf("Damage: %v", d)
	}
}

func testBatches(t *testing.T, c config) {
	h := newHarness(t, c)
	h.create(1, 0)
	h.create(2, 0)
	h.create(3, 0)
	if err := h.s.CreateLog(1, LogConfig{}); err != nil { // idempotent
		t.Fatal(err)
	}
	if _, err := h.s.CloseLog(3); err != nil {
		t.Fatal(err)
	}
	e := func(i int) Entry { return entry(0, i, 10) }
	res, err := h.s.Append(context.Background(), []Batch{
		{Log: 1, Entries: []Entry{e(1), e(2)}},
		{Log: 2, Entries: []Entry{e(3)}},
		{Log: 9, Entries: []Entry{e(4)}},
		{Log: 3, Entries: []Entry{e(5)}},
		{Log: 1, Entries: []Entry{e(6)}},
		{Log: 2, Entries: nil},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].First != 1 || res[1].First != 1 || res[4].First != 3 || res[5].First != 2 {
		t.Fatalf("numbers: %+v", res)
	}
	if !errors.Is(res[2].Err, ErrLogNotFound) || !errors.Is(res[3].Err, ErrLogClosed) {
		t.Fatalf("errors: %+v", res)
	}
	if res[0].Timestamp != epoch.UnixMilli() {
		t.Fatalf("timestamp %d", res[0].Timestamp)
	}
	h.check(1, 1, []Entry{e(1), e(2), e(6)})
	// the clock going back does not make timestamps go back
	h.clk.Advance(time.Second)
	res, _ = h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{e(7)}}})
	ts := res[0].Timestamp
	h.reopen()
	h.clk.Set(epoch) // Fake never goes back; simulate with a store on an earlier clock below
	res, _ = h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{e(8)}}})
	if res[0].Timestamp < ts {
		t.Fatalf("timestamp went back: %d < %d", res[0].Timestamp, ts)
	}
}

func testValidation(t *testing.T, c config) {
	h := newHarness(t, c)
	h.create(1, 0)
	h.appendN(1, 0, 3, 3, 10)
	ctx := context.Background()
	bad := []struct {
		b     []Batch
		check func(error) bool
	}{
		{[]Batch{{Log: 1, Entries: []Entry{{PartitionKey: nil}}}}, func(e error) bool { return errors.Is(e, ErrInvalidRecord) }},
		{[]Batch{{Log: 1, Entries: []Entry{{PartitionKey: make([]byte, 769)}}}}, func(e error) bool { return errors.Is(e, ErrInvalidRecord) }},
		{[]Batch{{Log: 1, Entries: []Entry{{PartitionKey: []byte("k"), ExplicitHashKey: []byte{1}}}}}, func(e error) bool { return errors.Is(e, ErrInvalidRecord) }},
		{[]Batch{{Log: 1, Entries: []Entry{{PartitionKey: []byte("k")}, {PartitionKey: []byte("k"), Data: make([]byte, defaultMaxRecordBytes)}}}}, func(e error) bool {
			var r *RecordTooLargeError
			return errors.As(e, &r) && r.Entry == 1 && r.Batch == 0
		}},
		{[]Batch{{Log: 1, Entries: []Entry{{PartitionKey: []byte("k"), Data: make([]byte, 10<<20)}}}, {Log: 1, Entries: []Entry{{PartitionKey: []byte("k"), Data: make([]byte, 10<<20)}}},
			{Log: 1, Entries: []Entry{{PartitionKey: []byte("k"), Data: make([]byte, 10<<20)}}}, {Log: 1, Entries: []Entry{{PartitionKey: []byte("k"), Data: make([]byte, 10<<20)}}}},
			func(e error) bool { var b *BatchTooLargeError; return errors.As(e, &b) }},
	}
	for i, tc := range bad {
		if _, err := h.s.Append(ctx, tc.b); !tc.check(err) {
			t.Errorf("case %d: got %v", i, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := h.s.Append(cctx, []Batch{{Log: 1, Entries: []Entry{{PartitionKey: []byte("k")}}}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ctx: %v", err)
	}
	if info, _ := h.s.Info(1); info.Tail != 4 {
		t.Fatalf("something was written: tail %d", info.Tail)
	}
	if err := h.s.CreateLog(0, LogConfig{}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("log 0: %v", err)
	}
	if _, err := h.s.Read(1, 1, 0, 10); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("read 0 records: %v", err)
	}
	if _, err := h.s.Read(7, 1, 1, 10); !errors.Is(err, ErrLogNotFound) {
		t.Errorf("read unknown: %v", err)
	}
}

func testReadLimits(t *testing.T, c config) {
	h := newHarness(t, c)
	h.create(1, 0)
	es := h.appendN(1, 0, 100, 10, 1000)
	for _, cold := range []bool{false, true} {
		if cold {
			h.reopen()
			h.s.flushDirty()
			l := h.s.getLog(1)
			l.mu.Lock()
			h.s.tailBytes.Add(-l.dropChunksLocked(0))
			l.mu.Unlock()
		}
		res, err := h.s.Read(1, 5, 3, 1<<20)
		if err != nil || len(res.Records) != 3 || res.Next != 8 || res.Tail != 101 || res.Closed || res.TailTimestamp != epoch.UnixMilli() {
			t.Fatalf("cold=%v maxRecords: %+v %v", cold, res, err)
		}
		res, _ = h.s.Read(1, 5, 100, 2500)
		if len(res.Records) != 3 { // 1000+pk per record: stops once 2500 is reached
			t.Fatalf("cold=%v maxBytes: %d records", cold, len(res.Records))
		}
		res, _ = h.s.Read(1, 5, 100, 1)
		if len(res.Records) != 1 || !sameEntry(res.Records[0], es[4]) {
			t.Fatalf("cold=%v one record over maxBytes: %+v", cold, res)
		}
		res, _ = h.s.Read(1, 101, 10, 1000)
		if len(res.Records) != 0 || res.Next != 101 || res.Tail != 101 {
			t.Fatalf("cold=%v at tail: %+v", cold, res)
		}
		res, _ = h.s.Read(1, 0, 1000, 1<<30)
		if len(res.Records) != 100 || res.Records[0].Number != 1 {
			t.Fatalf("cold=%v from 0: %d", cold, len(res.Records))
		}
	}
	h.create(2, 0)
	res, err := h.s.Read(2, 1, 10, 10)
	if err != nil || res.Next != 1 || res.Tail != 1 || res.TailTimestamp != 0 {
		t.Fatalf("empty: %+v %v", res, err)
	}
}

func testCloseLog(t *testing.T, c config) {
	h := newHarness(t, c)
	h.create(1, 0)
	h.create(2, 0)
	h.appendN(1, 0, 5, 5, 10)
	w, _ := h.s.Watch(1, 6)
	last, err := h.s.CloseLog(1)
	if err != nil || last != 5 {
		t.Fatalf("CloseLog: %d %v", last, err)
	}
	<-w
	if last, err := h.s.CloseLog(2); err != nil || last != 0 {
		t.Fatalf("CloseLog empty: %d %v", last, err)
	}
	res, _ := h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{entry(1, 0, 1)}}})
	if !errors.Is(res[0].Err, ErrLogClosed) {
		t.Fatalf("append to closed: %v", res[0].Err)
	}
	r, _ := h.s.Read(1, 1, 2, 100)
	if r.Closed || len(r.Records) != 2 {
		t.Fatalf("mid read: %+v", r)
	}
	r, _ = h.s.Read(1, 3, 20, 1000)
	if !r.Closed || r.Next != 6 {
		t.Fatalf("end read: %+v", r)
	}
	h.reopen()
	r, _ = h.s.Read(1, 6, 20, 1000)
	if !r.Closed {
		t.Fatalf("closed lost on reopen: %+v", r)
	}
	if info, _ := h.s.Info(1); !info.Closed || info.Tail != 6 {
		t.Fatalf("info: %+v", info)
	}
	if _, err := h.s.CloseLog(9); !errors.Is(err, ErrLogNotFound) {
		t.Fatal(err)
	}
}

func testDeleteLog(t *testing.T, c config) {
	h := newHarness(t, c)
	h.create(1, 0)
	h.create(2, 0)
	h.appendN(1, 0, 200, 20, 500)
	keep := h.appendN(2, 0, 10, 10, 10)
	h.s.Checkpoint()
	w, _ := h.s.Watch(1, 1000)
	if err := h.s.DeleteLog(1); err != nil {
		t.Fatal(err)
	}
	<-w
	if _, err := h.s.Read(1, 1, 10, 10); !errors.Is(err, ErrLogNotFound) {
		t.Fatalf("read deleted: %v", err)
	}
	if err := h.s.DeleteLog(1); !errors.Is(err, ErrLogNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	ents, _ := h.fs.ReadDir(h.dir + "/logs")
	for _, e := range ents {
		if e.Name()[:16] == fmt.Sprintf("%016x", 1) {
			t.Fatalf("files of deleted log remain: %s", e.Name())
		}
	}
	h.reopen()
	if _, err := h.s.Info(1); !errors.Is(err, ErrLogNotFound) {
		t.Fatalf("deleted log back after reopen: %v", err)
	}
	h.check(2, 1, keep)
	h.create(1, 0) // a new incarnation starts empty
	if info, _ := h.s.Info(1); info.Tail != 1 {
		t.Fatalf("recreated log not empty: %+v", info)
	}
	a := h.appendN(1, 0, 3, 3, 10)
	h.reopen()
	h.check(1, 1, a)
}

func testRetention(t *testing.T, c config) {
	h := newHarness(t, c)
	h.create(1, time.Hour)
	old := h.appendN(1, 0, 100, 10, 200)
	h.clk.Advance(30 * time.Minute)
	recent := h.appendN(1, 100, 100, 10, 200)
	h.check(1, 1, append(old, recent...))
	h.clk.Advance(31 * time.Minute) // the first 100 expire
	if th, _ := h.s.TrimHorizon(1); th != 101 {
		t.Fatalf("trim horizon %d", th)
	}
	h.checkAt(1, 1, 101, recent) // reading below the horizon starts at it
	r, _ := h.s.Read(1, 50, 10, 1<<20)
	if r.Records[0].Number != 101 {
		t.Fatalf("read below horizon starts at %d", r.Records[0].Number)
	}
	h.reopen()
	h.checkAt(1, 1, 101, recent)
	// space is reclaimed once whole segments expire
	h.s.sweep() // seals by age and deletes expired segments
	h.clk.Advance(20 * time.Minute)
	h.s.sweep()
	h.s.sweep()
	info, _ := h.s.Info(1)
	if info.TrimHorizon != 101 {
		t.Fatalf("info %+v", info)
	}
	h.clk.Advance(2 * time.Hour) // everything expires
	h.s.sweep()
	h.s.sweep()
	info, _ = h.s.Info(1)
	if info.TrimHorizon != 201 || info.Tail != 201 {
		t.Fatalf("all expired: %+v", info)
	}
	if info.BytesOnDisk > 2<<10 {
		t.Fatalf("space not reclaimed: %d bytes on disk", info.BytesOnDisk)
	}
	h.reopen()
	if r, _ := h.s.Read(1, 1, 10, 100); len(r.Records) != 0 || r.Next != 201 {
		t.Fatalf("after reopen: %+v", r)
	}
	more := h.appendN(1, 200, 5, 5, 10)
	h.checkAt(1, 1, 201, more)
	// shorter retention hides records at once; longer does not bring them back
	h.clk.Advance(time.Minute)
	if err := h.s.SetRetention(1, time.Second); err != nil {
		t.Fatal(err)
	}
	if th, _ := h.s.TrimHorizon(1); th != 206 {
		t.Fatalf("after shorter retention: %d", th)
	}
	if err := h.s.SetRetention(1, 100*time.Hour); err != nil {
		t.Fatal(err)
	}
	h.reopen()
	if th, _ := h.s.TrimHorizon(1); th != 206 {
		t.Fatalf("after longer retention: %d", th)
	}
}

func testSeekTimestamp(t *testing.T, c config) {
	h := newHarness(t, c)
	h.create(1, 0)
	var stamps []int64
	for i := range 20 {
		res, _ := h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{entry(1, i, 300), entry(1, i, 300)}}})
		stamps = append(stamps, res[0].Timestamp)
		h.clk.Advance(time.Second)
	}
	for pass := range 2 {
		for i, ts := range stamps {
			n, err := h.s.SeekTimestamp(1, ts)
			if err != nil || n != uint64(2*i+1) {
				t.Fatalf("pass %d: seek %d: %d %v", pass, i, n, err)
			}
			if n, _ := h.s.SeekTimestamp(1, ts-1); n != uint64(2*i+1) {
				t.Fatalf("pass %d: seek before %d: %d", pass, i, n)
			}
		}
		if n, _ := h.s.SeekTimestamp(1, stamps[19]+1); n != 41 {
			t.Fatalf("seek past end: %d", n)
		}
		if n, _ := h.s.SeekTimestamp(1, 0); n != 1 {
			t.Fatalf("seek 0: %d", n)
		}
		h.reopen()
		h.s.flushDirty()
		l := h.s.getLog(1)
		l.mu.Lock()
		h.s.tailBytes.Add(-l.dropChunksLocked(0))
		l.mu.Unlock()
	}
}

func testWatch(t *testing.T, c config) {
	h := newHarness(t, c)
	h.create(1, 0)
	w1, _ := h.s.Watch(1, 1)
	w1b, _ := h.s.Watch(1, 1)
	w3, _ := h.s.Watch(1, 3)
	if w1 != w1b {
		t.Fatal("watchers of one position should share a channel")
	}
	select {
	case <-w1:
		t.Fatal("fired early")
	default:
	}
	h.appendN(1, 0, 1, 1, 1)
	<-w1
	select {
	case <-w3:
		t.Fatal("watcher of record 3 fired for record 1")
	default:
	}
	h.appendN(1, 1, 2, 2, 1)
	<-w3
	if w, _ := h.s.Watch(1, 2); w != (<-chan struct{})(closedChan) {
		t.Fatal("watch of an existing record should be closed")
	}
	if _, err := h.s.Watch(9, 1); !errors.Is(err, ErrLogNotFound) {
		t.Fatal(err)
	}
}

func testConcurrent(t *testing.T, c config) {
	h := newHarness(t, c)
	const logs, writers, per = 5, 8, 40
	for i := 1; i <= logs; i++ {
		h.create(LogID(i), 0)
	}
	type acked struct {
		first uint64
		e     Entry
	}
	var mu sync.Mutex
	got := map[LogID]map[uint64]Entry{}
	for i := 1; i <= logs; i++ {
		got[LogID(i)] = map[uint64]Entry{}
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				var bs []Batch
				for k := range 1 + i%3 {
					log := LogID(1 + (w+i+k)%logs)
					bs = append(bs, Batch{Log: log, Entries: []Entry{entry(log, w*1000+i*10+k, 20+i), entry(log, w*1000+i*10+k+5, 5)}})
				}
				res, err := h.s.Append(context.Background(), bs)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for j, r := range res {
					for k, e := range bs[j].Entries {
						got[bs[j].Log][r.First+uint64(k)] = e
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	verify := func() {
		for log, m := range got {
			recs := h.readAll(log, 1)
			if len(recs) != len(m) {
				t.Fatalf("log %d: %d records, %d acked", log, len(recs), len(m))
			}
			for i, r := range recs {
				if r.Number != uint64(i+1) || !sameEntry(r, m[r.Number]) {
					t.Fatalf("log %d record %d wrong", log, r.Number)
				}
			}
		}
	}
	verify()
	h.reopen()
	verify()
}

func testStoreClosed(t *testing.T, c config) {
	h := newHarness(t, c)
	h.create(1, 0)
	if err := h.s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := h.s.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	if _, err := h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{entry(1, 0, 1)}}}); !errors.Is(err, ErrStoreClosed) {
		t.Fatalf("append after close: %v", err)
	}
	if err := h.s.CreateLog(2, LogConfig{}); !errors.Is(err, ErrStoreClosed) {
		t.Fatalf("create after close: %v", err)
	}
	if _, err := h.s.Read(1, 1, 1, 1); !errors.Is(err, ErrStoreClosed) {
		t.Fatalf("read after close: %v", err)
	}
	// a second store on the same directory is refused while one is open
	h.open()
	if _, err := Open(h.options()); err == nil {
		t.Fatal("second Open on a locked directory succeeded")
	}
}
