package meta

import (
	"fmt"
	"path/filepath"
	"testing"
)

// Benchmarks for the catalog's hot paths at the sizes the task sets: a
// stream of 10,000 shards and a namespace of 1,000 streams. Run with
//
//	go test -run '^$' -bench . -benchtime 20x ./internal/meta

// BenchmarkLoadStream loads one stream and all of its shards, as
// DescribeStream/ListShards on a cold cache or a startup load would.
func BenchmarkLoadStream(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("shards=%d", n), func(b *testing.B) {
			c, _ := openTest(b)
			createStream(b, c, fullStream("big"), n)
			b.ReportAllocs()
			b.SetBytes(int64(n * shardSize))
			for b.Loop() {
				err := c.View(func(tx *Tx) error {
					if _, err := tx.GetStream(testNS, "big"); err != nil {
						return err
					}
					shards, err := tx.Shards(testNS, "big")
					if len(shards) != n {
						b.Fatalf("%d shards", len(shards))
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadAll walks every stream and its shards, as the server does at
// start.
func BenchmarkLoadAll(b *testing.B) {
	const streams, shards = 1000, 4
	b.Run(fmt.Sprintf("streams=%d/shards=%d", streams, shards), func(b *testing.B) {
		c, _ := openTest(b)
		fillStreams(b, c, streams, shards)
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			err := c.View(func(tx *Tx) error {
				return tx.ForEachStream(func(s *Stream) error {
					sh, err := tx.Shards(s.Namespace, s.Name)
					n += len(sh)
					return err
				})
			})
			if err != nil || n != streams*shards {
				b.Fatal(n, err)
			}
		}
	})
}

// fillStreams creates streams with a few shards each, 100 per Update.
func fillStreams(b *testing.B, c *Catalog, streams, shards int) {
	for i := 0; i < streams; i += 100 {
		err := c.Update(func(tx *Tx) error {
			for j := i; j < i+100 && j < streams; j++ {
				s := fullStream(streamName(j))
				if err := tx.CreateStream(s); err != nil {
					return err
				}
				for _, sh := range evenShards(tx, shards, t0) {
					if err := tx.PutShard(testNS, s.Name, sh); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSplitShard commits what a split does to a large stream: close one
// shard, add two children, update the stream record. pages/op is the number
// of pages the commit wrote, which must not grow with the stream.
func BenchmarkSplitShard(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("shards=%d", n), func(b *testing.B) {
			c, _ := openTest(b)
			s := fullStream("big")
			createStream(b, c, s, n)
			b.ReportAllocs()
			before := writtenPages(c)
			i := 0
			for b.Loop() {
				err := c.Update(func(tx *Tx) error {
					s, err := tx.GetStream(testNS, "big")
					if err != nil {
						return err
					}
					parent, err := tx.Shard(testNS, "big", uint64(i))
					if err != nil {
						return err
					}
					parent.Closed, parent.ClosedAt = true, t0
					if err := tx.PutShard(testNS, "big", parent); err != nil {
						return err
					}
					for range 2 {
						id, err := tx.NextLogID()
						if err != nil {
							return err
						}
						child := Shard{Index: s.NextShardIndex, LogID: id, HasParent: true, ParentIndex: parent.Index, Created: t0}
						if err := tx.PutShard(testNS, "big", child); err != nil {
							return err
						}
						s.NextShardIndex++
					}
					return tx.PutStream(s)
				})
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(writtenPages(c)-before)/float64(b.N), "pages/op")
		})
	}
}

// BenchmarkOpen opens an existing catalog of 1,000 streams.
func BenchmarkOpen(b *testing.B) {
	b.Run("streams=1000/shards=4", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "catalog.db")
		c, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		fillStreams(b, c, 1000, 4)
		c.Close()
		b.ReportAllocs()
		for b.Loop() {
			c, err := Open(path, Options{})
			if err != nil {
				b.Fatal(err)
			}
			c.Close()
		}
	})
}

func writtenPages(c *Catalog) int64 {
	st := c.db.Stats()
	return st.TxStats.GetWrite()
}

// BenchmarkCreateStream commits a new stream with all its shards in one
// Update, as CreateStream and a big UpdateShardCount do.
func BenchmarkCreateStream(b *testing.B) {
	for _, n := range []int{4, 10000} {
		b.Run(fmt.Sprintf("shards=%d", n), func(b *testing.B) {
			c, _ := openTest(b)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				createStream(b, c, fullStream(streamName(i)), n)
				i++
			}
		})
	}
}
