package logstore

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/vfs"
)

// benchStore opens a store in its steady state: the journal file it writes
// is a recycled one (as after the first rotation of a running server).
func benchStore(b *testing.B, tweak func(*Options)) *Store {
	b.Helper()
	o := Options{FS: vfs.OS, Dir: b.TempDir()}
	if tweak != nil {
		tweak(&o)
	}
	s, err := Open(o)
	if err != nil {
		b.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		s.sparesMu.Lock()
		n := len(s.spares)
		s.sparesMu.Unlock()
		if n >= s.opts.JournalSpares || time.Now().After(deadline) {
			break
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if s, err = Open(o); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func makeBatch(n, size int) []Entry {
	es := make([]Entry, n)
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i)
	}
	for i := range es {
		es[i] = Entry{PartitionKey: []byte("partition-key-" + strconv.Itoa(i%10)), Data: data}
	}
	return es
}

// BenchmarkAppend measures durable appends (SyncEachCommit) from 16
// concurrent writers over 4 logs: records/s and MB/s for each batch and
// record size.
func BenchmarkAppend(b *testing.B) {
	for _, batch := range []int{1, 100, 500} {
		for _, size := range []int{100, 1 << 10, 100 << 10} {
			if batch*size > 8<<20 {
				continue // beyond a realistic PutRecords call (5 MiB)
			}
			b.Run(fmt.Sprintf("batch=%d/size=%d", batch, size), func(b *testing.B) {
				benchAppend(b, 4, batch, size, 8)
			})
		}
	}
}

// BenchmarkAppendLogs compares 4 with 1,000 logs written concurrently: the
// cost of durability must not grow with the number of logs.
func BenchmarkAppendLogs(b *testing.B) {
	for _, logs := range []int{4, 1000} {
		b.Run(fmt.Sprintf("logs=%d/batch=100/size=1024", logs), func(b *testing.B) {
			benchAppend(b, logs, 100, 1024, 32)
		})
	}
}

func benchAppend(b *testing.B, logs, batch, size, par int) {
	s := benchStore(b, nil)
	es := makeBatch(batch, size)
	// steady state: every log exists and has its active segment file
	for i := 1; i <= logs; i++ {
		if err := s.CreateLog(LogID(i), LogConfig{}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Append(context.Background(), []Batch{{Log: LogID(i), Entries: es[:1]}}); err != nil {
			b.Fatal(err)
		}
	}
	s.flushDirty()
	var next atomic.Uint64
	b.SetBytes(int64(batch * size))
	b.ReportAllocs()
	b.SetParallelism(par)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		bs := []Batch{{Entries: es}}
		for pb.Next() {
			bs[0].Log = LogID(1 + next.Add(1)%uint64(logs))
			if _, err := s.Append(context.Background(), bs); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N*batch)/sec, "records/s")
	b.ReportMetric(float64(s.m.appends.Get())/float64(max(s.m.fsyncs.Get(), 1)), "appends/fsync")
}

// BenchmarkAppendCPU is the CPU cost of the append path without the fsync
// (SyncInterval), per record: the budget is well under 0.5 µs per 100 B record.
func BenchmarkAppendCPU(b *testing.B) {
	for _, size := range []int{100, 1024} {
		b.Run(fmt.Sprintf("batch=500/size=%d", size), func(b *testing.B) {
			s := benchStore(b, func(o *Options) { o.Durability = SyncInterval; o.SyncInterval = time.Hour })
			s.CreateLog(1, LogConfig{})
			bs := []Batch{{Log: 1, Entries: makeBatch(500, size)}}
			b.SetBytes(int64(500 * size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Append(context.Background(), bs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*500), "ns/record")
		})
	}
}

// BenchmarkRead reads 1,000 records per call, from the in-memory tail and
// cold from segment files.
func BenchmarkRead(b *testing.B) {
	for _, src := range []string{"tail", "cold"} {
		b.Run("source="+src+"/size=100", func(b *testing.B) {
			s := benchStore(b, func(o *Options) { o.TailKeepBytes = 64 << 20 })
			s.CreateLog(1, LogConfig{})
			const total = 200_000
			bs := []Batch{{Log: 1, Entries: makeBatch(500, 100)}}
			for range total / 500 {
				if _, err := s.Append(context.Background(), bs); err != nil {
					b.Fatal(err)
				}
			}
			if src == "cold" {
				s.flushDirty()
				l := s.getLog(1)
				l.mu.Lock()
				s.tailBytes.Add(-l.dropChunksLocked(0))
				l.mu.Unlock()
			}
			b.ReportAllocs()
			b.SetBytes(1000 * 100)
			pos := uint64(1)
			for b.Loop() {
				r, err := s.Read(1, pos, 1000, 10<<20)
				if err != nil || len(r.Records) != 1000 {
					b.Fatal(err, len(r.Records))
				}
				pos = r.Next
				if pos > total-1000 {
					pos = 1
				}
			}
			b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkRecovery measures Open after a crash of a store holding `bytes`
// in segments plus a full CheckpointBytes (256 MiB, the worst case) of
// journal to replay. Set EDDY_LOGSTORE_RECOVERY_GB=10 for the 10 GB case
// (it takes minutes to write).
func BenchmarkRecovery(b *testing.B) {
	gb, _ := strconv.ParseFloat(os.Getenv("EDDY_LOGSTORE_RECOVERY_GB"), 64)
	total := int64(512 << 20)
	if gb > 0 {
		total = int64(gb * (1 << 30))
	}
	const replay = 256 << 20
	b.Run(fmt.Sprintf("bytes=%d/replay=%d", total, replay), func(b *testing.B) {
		dir := b.TempDir()
		o := Options{FS: vfs.OS, Dir: dir, CheckpointBytes: replay + 64<<20}
		s, err := Open(o)
		if err != nil {
			b.Fatal(err)
		}
		const logs = 100
		for i := 1; i <= logs; i++ {
			s.CreateLog(LogID(i), LogConfig{})
		}
		es := makeBatch(500, 1024)
		write := func(n int64) {
			var written atomic.Int64
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; written.Add(500*1024) <= n; i++ {
						if _, err := s.Append(context.Background(), []Batch{{Log: LogID(1 + (w*31+i)%logs), Entries: es}}); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
		}
		write(total - replay)
		if err := s.Checkpoint(); err != nil {
			b.Fatal(err)
		}
		write(replay)
		// no Close: the store is abandoned as after a crash (its journal
		// since the last checkpoint must be replayed)
		s.abandon()
		b.ResetTimer()
		for b.Loop() {
			s2, err := Open(o)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			s2.abandon() // again abandoned, so each iteration replays
			b.StartTimer()
		}
	})
}

// BenchmarkIdleLogMemory measures the heap held per idle log with 10,000
// logs that each hold a few records.
func BenchmarkIdleLogMemory(b *testing.B) {
	for b.Loop() {
		clk := clock.NewFake(time.Now())
		s, err := Open(Options{FS: vfs.OS, Dir: b.TempDir(), Clock: clk})
		if err != nil {
			b.Fatal(err)
		}
		const logs = 10_000
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		es := makeBatch(10, 100)
		for i := 1; i <= logs; i++ {
			s.CreateLog(LogID(i), LogConfig{})
		}
		for i := 1; i <= logs; i += 100 {
			var bs []Batch
			for j := i; j < i+100; j++ {
				bs = append(bs, Batch{Log: LogID(j), Entries: es})
			}
			if _, err := s.Append(context.Background(), bs); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Checkpoint(); err != nil {
			b.Fatal(err)
		}
		clk.Advance(2 * time.Minute)
		s.sweep()
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/logs, "heap-bytes/log")
		b.ReportMetric(s.m.openFiles.Get(), "open-files")
		s.Close()
	}
}

// BenchmarkRecoveryManyLogs measures Open with 10,000 checkpointed logs
// (each with an active segment and index to reconcile).
func BenchmarkRecoveryManyLogs(b *testing.B) {
	const logs = 10_000
	b.Run(fmt.Sprintf("logs=%d", logs), func(b *testing.B) {
		o := Options{FS: vfs.OS, Dir: b.TempDir()}
		s, err := Open(o)
		if err != nil {
			b.Fatal(err)
		}
		es := makeBatch(10, 100)
		for i := 1; i <= logs; i++ {
			s.CreateLog(LogID(i), LogConfig{})
		}
		for i := 1; i <= logs; i += 100 {
			var bs []Batch
			for j := i; j < i+100; j++ {
				bs = append(bs, Batch{Log: LogID(j), Entries: es})
			}
			if _, err := s.Append(context.Background(), bs); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			s2, err := Open(o)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			s2.abandon()
			b.StartTimer()
		}
	})
}
