package meta

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/hashkey"
	"github.com/eddy-streams/eddy/internal/vfs"
	"go.etcd.io/bbolt"
)

func TestPersistsAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := fullStream("orders")
	createStream(t, c, s, 3)
	var logID uint64
	mustUpdate(t, c, func(tx *Tx) error {
		if err := tx.PutConsumer(testNS, &Consumer{StreamName: "orders", Name: "app", ARN: s.ARN + "/consumer/app:1", Status: "ACTIVE", Created: t0}); err != nil {
			return err
		}
		if err := tx.PutPolicy(s.ARN, `{"Version":"2012-10-17"}`); err != nil {
			return err
		}
		logID, err = tx.NextLogID()
		return err
	})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	c, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mustView(t, c, func(tx *Tx) error {
		got, err := tx.GetStream(testNS, "orders")
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("stream after reopen:\n got %+v\nwant %+v", got, s)
		}
		shards, err := tx.Shards(testNS, "orders")
		if err != nil || len(shards) != 3 || shards[2].EndingHashKey != hashkey.Max {
			t.Errorf("shards after reopen: %+v %v", shards, err)
		}
		if c, err := tx.ConsumerByARN(s.ARN + "/consumer/app:1"); err != nil || c.Name != "app" {
			t.Errorf("consumer after reopen: %+v %v", c, err)
		}
		if p, err := tx.Policy(s.ARN); err != nil || p != `{"Version":"2012-10-17"}` {
			t.Errorf("policy after reopen: %q %v", p, err)
		}
		return nil
	})
	// LogIDs are never handed out twice, across restarts too.
	mustUpdate(t, c, func(tx *Tx) error {
		id, err := tx.NextLogID()
		if id != logID+1 {
			t.Errorf("NextLogID after reopen = %d, want %d", id, logID+1)
		}
		return err
	})
}

func TestFailedUpdateChangesNothing(t *testing.T) {
	c, _ := openTest(t)
	createStream(t, c, fullStream("a"), 2)
	boom := errors.New("boom")
	var firstID uint64
	mustView(t, c, func(tx *Tx) error { firstID = tx.peekNextLogID(); return nil })
	err := c.Update(func(tx *Tx) error {
		if _, err := tx.NextLogID(); err != nil {
			return err
		}
		s2 := fullStream("b")
		if err := tx.CreateStream(s2); err != nil {
			return err
		}
		s, _ := tx.GetStream(testNS, "a")
		s.Status = "DELETING"
		if err := tx.PutStream(s); err != nil {
			return err
		}
		if err := tx.DeleteShard(testNS, "a", 0); err != nil {
			return err
		}
		if err := tx.PutPolicy(s.ARN, "{}"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || err != boom {
		t.Fatalf("Update returned %v, want the callback's error unchanged", err)
	}
	mustView(t, c, func(tx *Tx) error {
		if _, err := tx.GetStream(testNS, "b"); !errors.Is(err, ErrNotFound) {
			t.Errorf("stream b exists after a failed Update: %v", err)
		}
		if _, err := tx.Resolve(testARN("b")); !errors.Is(err, ErrNotFound) {
			t.Errorf("ARN index of b exists after a failed Update: %v", err)
		}
		if s, _ := tx.GetStream(testNS, "a"); s.Status != "CREATING" {
			t.Errorf("stream a status = %s after a failed Update", s.Status)
		}
		if sh, _ := tx.Shards(testNS, "a"); len(sh) != 2 {
			t.Errorf("stream a has %d shards after a failed Update", len(sh))
		}
		if _, err := tx.Policy(testARN("a")); !errors.Is(err, ErrNotFound) {
			t.Errorf("policy exists after a failed Update: %v", err)
		}
		if dead, _ := tx.DeadLogs(); len(dead) != 0 {
			t.Errorf("dead logs after a failed Update: %v", dead)
		}
		if id := tx.peekNextLogID(); id != firstID {
			t.Errorf("LogID counter moved from %d to %d in a failed Update", firstID, id)
		}
		return nil
	})
}

func TestPanickingUpdateChangesNothing(t *testing.T) {
	c, _ := openTest(t)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic did not propagate")
			}
		}()
		_ = c.Update(func(tx *Tx) error {
			if err := tx.CreateStream(fullStream("p")); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	// The write lock was released and nothing was written.
	mustUpdate(t, c, func(tx *Tx) error {
		if _, err := tx.GetStream(testNS, "p"); !errors.Is(err, ErrNotFound) {
			t.Errorf("stream exists after a panicking Update: %v", err)
		}
		return nil
	})
}

func TestViewCannotWrite(t *testing.T) {
	c, _ := openTest(t)
	createStream(t, c, fullStream("a"), 1)
	err := c.View(func(tx *Tx) error {
		if tx.Writable() {
			t.Error("View transaction is writable")
		}
		s, err := tx.GetStream(testNS, "a")
		if err != nil {
			return err
		}
		return tx.PutStream(s)
	})
	if !errors.Is(err, bbolt.ErrTxNotWritable) {
		t.Errorf("PutStream in View: %v, want ErrTxNotWritable", err)
	}
}

// setMeta rewrites a key of the meta bucket of a closed catalog file.
func setMeta(t *testing.T, path string, key, value []byte) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bktMeta).Put(key, value) })
	if err != nil {
		t.Fatal(err)
	}
}

func TestRefusesNewerFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	setMeta(t, path, keyVersion, binary.BigEndian.AppendUint32(nil, FormatVersion+1))
	before, _ := os.ReadFile(path)

	_, err = Open(path, Options{})
	var ve *FormatVersionError
	if !errors.As(err, &ve) || ve.Found != FormatVersion+1 || ve.Supported != FormatVersion {
		t.Fatalf("Open of a newer catalog: %v, want *FormatVersionError", err)
	}
	for _, want := range []string{"version 2", "up to version 1", path} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("refusing a newer catalog modified the file")
	}
}

func TestRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	// A bbolt file with someone else's buckets.
	other := filepath.Join(dir, "other.db")
	db, err := bbolt.Open(other, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("users")); return err })
	db.Close()
	var fe *FormatError
	if _, err := Open(other, Options{}); !errors.As(err, &fe) {
		t.Errorf("Open of a foreign bbolt file: %v, want *FormatError", err)
	}

	// A catalog whose magic is wrong.
	bad := filepath.Join(dir, "bad.db")
	c, err := Open(bad, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	setMeta(t, bad, keyMagic, []byte("something-else"))
	if _, err := Open(bad, Options{}); !errors.As(err, &fe) {
		t.Errorf("Open with a wrong magic: %v, want *FormatError", err)
	}

	// Version 0 was never written.
	zero := filepath.Join(dir, "zero.db")
	if c, err = Open(zero, Options{}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	setMeta(t, zero, keyVersion, []byte{0, 0, 0, 0})
	if _, err := Open(zero, Options{}); !errors.As(err, &fe) {
		t.Errorf("Open of version 0: %v, want *FormatError", err)
	}

	// Not a bbolt file at all.
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, make([]byte, 8192), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(junk, Options{}); err == nil {
		t.Error("Open of a zero-filled file succeeded")
	}
}

func TestSecondOpenFailsWithErrLocked(t *testing.T) {
	_, path := openTest(t)
	start := time.Now()
	_, err := Open(path, Options{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, vfs.ErrLocked) {
		t.Fatalf("second Open: %v, want vfs.ErrLocked", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("second Open took %v", time.Since(start))
	}
}

func TestCorruptValueIsReported(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	createStream(t, c, fullStream("orders"), 2)
	c.Close()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		sb := tx.Bucket(bktNS).Bucket([]byte(testNS)).Bucket(bktStreams).Bucket([]byte("orders"))
		if err := sb.Put(keyStream, []byte{1, 200}); err != nil {
			return err
		}
		return sb.Bucket(bktShards).Put(shardKey(1), []byte{1, 0})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	c, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mustView(t, c, func(tx *Tx) error {
		var ce *CorruptError
		_, err := tx.GetStream(testNS, "orders")
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "streams/orders") {
			t.Errorf("GetStream of a corrupt record: %v, want *CorruptError naming the stream", err)
		}
		if _, _, err := tx.ListStreams(testNS, "", 0); !errors.As(err, &ce) {
			t.Errorf("ListStreams over a corrupt record: %v", err)
		}
		if _, err := tx.Shards(testNS, "orders"); !errors.As(err, &ce) {
			t.Errorf("Shards with a corrupt shard: %v", err)
		}
		if sh, err := tx.Shard(testNS, "orders", 0); err != nil || sh.LogID == 0 {
			t.Errorf("an intact shard next to a corrupt one: %+v %v", sh, err)
		}
		return nil
	})
}
