package meta

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentReaders runs readers against a writer that changes several
// keys per Update (a new shard, the stream's NextShardIndex, its tags).
// Every reader must see each Update whole or not at all.
func TestConcurrentReaders(t *testing.T) {
	c, _ := openTest(t)
	createStream(t, c, fullStream("orders"), 1)
	const updates = 60
	var done atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for range 4 {
		wg.Go(func() {
			for !done.Load() {
				err := c.View(func(tx *Tx) error {
					s, err := tx.GetStream(testNS, "orders")
					if err != nil {
						return err
					}
					shards, err := tx.Shards(testNS, "orders")
					if err != nil {
						return err
					}
					if uint64(len(shards)) != s.NextShardIndex || len(s.ShardCountUpdates) != len(shards) {
						select {
						case errs <- "torn read":
						default:
						}
					}
					return nil
				})
				if err != nil {
					select {
					case errs <- err.Error():
					default:
					}
					return
				}
			}
		})
	}
	for i := range updates {
		mustUpdate(t, c, func(tx *Tx) error {
			s, err := tx.GetStream(testNS, "orders")
			if err != nil {
				return err
			}
			id, err := tx.NextLogID()
			if err != nil {
				return err
			}
			if err := tx.PutShard(testNS, "orders", Shard{Index: s.NextShardIndex, LogID: id, Created: t0}); err != nil {
				return err
			}
			s.NextShardIndex++
			s.ShardCountUpdates = append(s.ShardCountUpdates, t0)
			s.Tags["n"] = streamName(i)
			return tx.PutStream(s)
		})
	}
	done.Store(true)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
