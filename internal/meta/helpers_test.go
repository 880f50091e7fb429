package meta

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/hashkey"
)

const testNS = "123456789012/us-east-1"

var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

// openTest opens a fresh catalog in a temporary directory with a seeded
// random source, and closes it when the test ends.
func openTest(t testing.TB) (*Catalog, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "catalog.db")
	c, err := Open(path, Options{Rand: rand.NewChaCha8([32]byte{1})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, path
}

func testARN(name string) string {
	return "arn:aws:kinesis:us-east-1:123456789012:stream/" + name
}

// fullStream has every field set, so round trips exercise every encoding.
func fullStream(name string) *Stream {
	return &Stream{
		Namespace:         testNS,
		Name:              name,
		ARN:               testARN(name),
		Status:            "CREATING",
		StatusUntil:       t0.Add(500 * time.Millisecond),
		Created:           t0,
		Mode:              "PROVISIONED",
		ModeChanges:       []time.Time{t0.Add(-time.Hour), t0},
		RetentionHours:    24,
		EncryptionType:    "KMS",
		KeyID:             "alias/aws/kinesis",
		ShardLevelMetrics: []string{"IncomingBytes", "OutgoingRecords"},
		MaxRecordSizeKiB:  1024,
		WarmThroughput:    WarmThroughput{TargetMiBps: 10, CurrentMiBps: 4, Status: "UPDATING"},
		Tags:              map[string]string{"team": "data", "env": "test", "empty": ""},
		NextShardIndex:    0,
		ShardCountUpdates: []time.Time{t0.Add(-2 * time.Hour)},
		Resharding:        []byte{1, 2, 3},
	}
}

// createStream creates a stream with n shards splitting the hash key space
// evenly, in one Update.
func createStream(t testing.TB, c *Catalog, s *Stream, n int) {
	t.Helper()
	err := c.Update(func(tx *Tx) error {
		if err := tx.CreateStream(s); err != nil {
			return err
		}
		for _, sh := range evenShards(tx, n, s.Created) {
			if err := tx.PutShard(s.Namespace, s.Name, sh); err != nil {
				return err
			}
		}
		s.NextShardIndex = uint64(n)
		return tx.PutStream(s)
	})
	if err != nil {
		t.Fatalf("create stream %s: %v", s.Name, err)
	}
}

func evenShards(tx *Tx, n int, created time.Time) []Shard {
	out := make([]Shard, n)
	for i, r := range hashkey.SplitEvenly(n) {
		id, err := tx.NextLogID()
		if err != nil {
			panic(err)
		}
		out[i] = Shard{Index: uint64(i), LogID: id, StartingHashKey: r.Start, EndingHashKey: r.End, Created: created}
	}
	return out
}

func mustUpdate(t testing.TB, c *Catalog, fn func(*Tx) error) {
	t.Helper()
	if err := c.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func mustView(t testing.TB, c *Catalog, fn func(*Tx) error) {
	t.Helper()
	if err := c.View(fn); err != nil {
		t.Fatal(err)
	}
}

func streamName(i int) string { return fmt.Sprintf("stream-%05d", i) }
