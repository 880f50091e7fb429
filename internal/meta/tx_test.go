package meta

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/hashkey"
)

func TestCreateAndGetStream(t *testing.T) {
	c, _ := openTest(t)
	s := fullStream("orders")
	createStream(t, c, s, 4)
	if !regexp.MustCompile(`^[a-z0-9]{20}-[a-z0-9]{3}$`).MatchString(s.ID) {
		t.Errorf("StreamId %q does not match AWS's pattern", s.ID)
	}
	if s.Incarnation == 0 || s.Incarnation >= 1<<40 {
		t.Errorf("incarnation %d is not a non-zero 40-bit tag", s.Incarnation)
	}
	mustView(t, c, func(tx *Tx) error {
		for name, get := range map[string]func() (*Stream, error){
			"name": func() (*Stream, error) { return tx.GetStream(testNS, "orders") },
			"id":   func() (*Stream, error) { return tx.StreamByID(s.ID) },
			"arn":  func() (*Stream, error) { return tx.StreamByARN(s.ARN) },
		} {
			got, err := get()
			if err != nil {
				t.Errorf("by %s: %v", name, err)
			} else if !reflect.DeepEqual(got, s) {
				t.Errorf("by %s:\n got %+v\nwant %+v", name, got, s)
			}
		}
		if r, err := tx.Resolve(s.ARN); err != nil || r != (Ref{Namespace: testNS, Stream: "orders"}) {
			t.Errorf("Resolve = %+v, %v", r, err)
		}
		for _, miss := range []func() error{
			func() error { _, err := tx.GetStream(testNS, "nope"); return err },
			func() error { _, err := tx.GetStream("000000000000/eu-west-1", "orders"); return err },
			func() error { _, err := tx.StreamByID("aaaaaaaaaaaaaaaaaaaa-aaa"); return err },
			func() error { _, err := tx.StreamByARN(testARN("nope")); return err },
			func() error { _, err := tx.StreamByID(""); return err },
		} {
			if err := miss(); !errors.Is(err, ErrNotFound) {
				t.Errorf("lookup of a missing stream: %v, want ErrNotFound", err)
			}
		}
		return nil
	})
}

func TestCreateStreamConflicts(t *testing.T) {
	c, _ := openTest(t)
	s := fullStream("orders")
	createStream(t, c, s, 1)
	cases := map[string]*Stream{
		"same name":    fullStream("orders"),
		"same ARN":     func() *Stream { x := fullStream("other"); x.ARN = s.ARN; return x }(),
		"same ID":      func() *Stream { x := fullStream("other"); x.ID = s.ID; return x }(),
		"no ARN":       func() *Stream { x := fullStream("other"); x.ARN = ""; return x }(),
		"no name":      func() *Stream { x := fullStream(""); x.ARN = "arn"; return x }(),
		"no namespace": func() *Stream { x := fullStream("other"); x.Namespace = ""; return x }(),
	}
	for name, x := range cases {
		err := c.Update(func(tx *Tx) error { return tx.CreateStream(x) })
		if err == nil {
			t.Errorf("%s: CreateStream succeeded", name)
		}
		if name[:4] == "same" && !errors.Is(err, ErrExists) {
			t.Errorf("%s: %v, want ErrExists", name, err)
		}
	}
	// The same name in another namespace is another stream.
	other := fullStream("orders")
	other.Namespace = "000000000000/eu-west-1"
	other.ARN = "arn:aws:kinesis:eu-west-1:000000000000:stream/orders"
	createStream(t, c, other, 1)
	if other.ID == s.ID {
		t.Error("two streams got the same StreamId")
	}
}

func TestRecreatedStreamGetsNewIncarnation(t *testing.T) {
	// A random source that keeps repeating itself forces the retry path.
	path := t.TempDir() + "/c.db"
	c, err := Open(path, Options{Rand: &repeating{period: 2}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var prev uint64
	for i := range 5 {
		s := fullStream("orders")
		createStream(t, c, s, 1)
		if s.Incarnation == prev {
			t.Fatalf("round %d: incarnation %d repeats the previous stream's", i, prev)
		}
		prev = s.Incarnation
		mustUpdate(t, c, func(tx *Tx) error { return tx.DeleteStream(testNS, "orders") })
	}
}

// repeating yields the same pseudo-random bytes over and over: every period
// reads it starts again from the beginning.
type repeating struct {
	period, n int
}

func (r *repeating) Read(p []byte) (int, error) {
	src := rand.NewChaCha8([32]byte{byte(r.n % r.period)})
	r.n++
	return src.Read(p)
}

func TestPutStreamRules(t *testing.T) {
	c, _ := openTest(t)
	s := fullStream("orders")
	createStream(t, c, s, 1)
	mustUpdate(t, c, func(tx *Tx) error {
		s.Status = "ACTIVE"
		s.StatusUntil = time.Time{}
		s.Tags["new"] = "tag"
		delete(s.Tags, "env")
		s.ShardLevelMetrics = nil
		s.Resharding = nil
		return tx.PutStream(s)
	})
	mustView(t, c, func(tx *Tx) error {
		got, err := tx.GetStream(testNS, "orders")
		if err != nil || !reflect.DeepEqual(got, s) {
			t.Errorf("after PutStream:\n got %+v\nwant %+v (%v)", got, s, err)
		}
		return nil
	})
	for name, mutate := range map[string]func(*Stream){
		"ID":          func(x *Stream) { x.ID = "zzzzzzzzzzzzzzzzzzzz-zzz" },
		"ARN":         func(x *Stream) { x.ARN += "x" },
		"incarnation": func(x *Stream) { x.Incarnation++ },
	} {
		err := c.Update(func(tx *Tx) error {
			x, _ := tx.GetStream(testNS, "orders")
			mutate(x)
			return tx.PutStream(x)
		})
		if err == nil {
			t.Errorf("PutStream changed the %s", name)
		}
	}
	err := c.Update(func(tx *Tx) error { return tx.PutStream(fullStream("missing")) })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("PutStream of a missing stream: %v, want ErrNotFound", err)
	}
}

func TestListStreams(t *testing.T) {
	c, _ := openTest(t)
	names := []string{"b", "a", "c-1", "c", "A", "z"}
	for _, n := range names {
		createStream(t, c, fullStream(n), 1)
	}
	list := func(after string, limit int) ([]string, bool) {
		var out []string
		var more bool
		mustView(t, c, func(tx *Tx) error {
			ss, m, err := tx.ListStreams(testNS, after, limit)
			for _, s := range ss {
				out = append(out, s.Name)
			}
			more = m
			return err
		})
		return out, more
	}
	all := []string{"A", "a", "b", "c", "c-1", "z"}
	if got, more := list("", 0); !reflect.DeepEqual(got, all) || more {
		t.Errorf("list all = %v %v", got, more)
	}
	if got, more := list("", 6); !reflect.DeepEqual(got, all) || more {
		t.Errorf("list limit 6 = %v %v", got, more)
	}
	if got, more := list("a", 2); !reflect.DeepEqual(got, []string{"b", "c"}) || !more {
		t.Errorf("list after a limit 2 = %v %v", got, more)
	}
	if got, more := list("bb", 0); !reflect.DeepEqual(got, []string{"c", "c-1", "z"}) || more {
		t.Errorf("list after bb (absent) = %v %v", got, more)
	}
	if got, more := list("z", 0); len(got) != 0 || more {
		t.Errorf("list after z = %v %v", got, more)
	}
	mustView(t, c, func(tx *Tx) error {
		ss, more, err := tx.ListStreams("000000000000/nowhere", "", 0)
		if len(ss) != 0 || more || err != nil {
			t.Errorf("list of an empty namespace = %v %v %v", ss, more, err)
		}
		return nil
	})
}

func TestForEachStreamAcrossNamespaces(t *testing.T) {
	c, _ := openTest(t)
	for _, ns := range []string{"2/r", "1/r"} {
		for _, n := range []string{"y", "x"} {
			s := fullStream(n)
			s.Namespace = ns
			s.ARN = ns + ":" + n
			createStream(t, c, s, 1)
		}
	}
	var seen []string
	mustView(t, c, func(tx *Tx) error {
		return tx.ForEachStream(func(s *Stream) error {
			seen = append(seen, s.Namespace+" "+s.Name)
			return nil
		})
	})
	if want := []string{"1/r x", "1/r y", "2/r x", "2/r y"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("ForEachStream order = %v, want %v", seen, want)
	}
	stop := errors.New("stop")
	n := 0
	err := c.View(func(tx *Tx) error {
		return tx.ForEachStream(func(*Stream) error { n++; return stop })
	})
	if err != stop || n != 1 {
		t.Errorf("ForEachStream did not stop on the callback's error: %v after %d", err, n)
	}
	mustView(t, c, func(tx *Tx) error {
		nss, err := tx.Namespaces()
		if !reflect.DeepEqual(nss, []string{"1/r", "2/r"}) {
			t.Errorf("Namespaces = %v", nss)
		}
		return err
	})
}

func TestDeleteStreamRemovesEverything(t *testing.T) {
	c, _ := openTest(t)
	s := fullStream("orders")
	createStream(t, c, s, 3)
	keep := fullStream("keep")
	createStream(t, c, keep, 1)
	carn := s.ARN + "/consumer/app:1"
	mustUpdate(t, c, func(tx *Tx) error {
		if err := tx.PutConsumer(testNS, &Consumer{StreamName: "orders", Name: "app", ARN: carn}); err != nil {
			return err
		}
		for _, arn := range []string{s.ARN, carn, keep.ARN} {
			if err := tx.PutPolicy(arn, "{}"); err != nil {
				return err
			}
		}
		return nil
	})
	var logIDs []uint64
	mustView(t, c, func(tx *Tx) error {
		shards, err := tx.Shards(testNS, "orders")
		for _, sh := range shards {
			logIDs = append(logIDs, sh.LogID)
		}
		return err
	})
	mustUpdate(t, c, func(tx *Tx) error { return tx.DeleteStream(testNS, "orders") })
	mustView(t, c, func(tx *Tx) error {
		checks := map[string]error{
			"stream":          func() error { _, err := tx.GetStream(testNS, "orders"); return err }(),
			"id index":        func() error { _, err := tx.StreamByID(s.ID); return err }(),
			"arn index":       func() error { _, err := tx.Resolve(s.ARN); return err }(),
			"consumer index":  func() error { _, err := tx.Resolve(carn); return err }(),
			"stream policy":   func() error { _, err := tx.Policy(s.ARN); return err }(),
			"consumer policy": func() error { _, err := tx.Policy(carn); return err }(),
			"shards":          func() error { _, err := tx.Shards(testNS, "orders"); return err }(),
			"consumers":       func() error { _, err := tx.Consumers(testNS, "orders"); return err }(),
		}
		for what, err := range checks {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s after DeleteStream: %v, want ErrNotFound", what, err)
			}
		}
		if _, err := tx.Policy(keep.ARN); err != nil {
			t.Errorf("another stream's policy went too: %v", err)
		}
		if _, err := tx.GetStream(testNS, "keep"); err != nil {
			t.Errorf("another stream went too: %v", err)
		}
		dead, err := tx.DeadLogs()
		if !reflect.DeepEqual(dead, logIDs) {
			t.Errorf("DeadLogs = %v, want %v", dead, logIDs)
		}
		return err
	})
	mustUpdate(t, c, func(tx *Tx) error { return tx.ForgetDeadLogs(logIDs[0], logIDs[2], 999) })
	mustView(t, c, func(tx *Tx) error {
		dead, err := tx.DeadLogs()
		if !reflect.DeepEqual(dead, logIDs[1:2]) {
			t.Errorf("DeadLogs after ForgetDeadLogs = %v, want %v", dead, logIDs[1:2])
		}
		return err
	})
	if err := c.Update(func(tx *Tx) error { return tx.DeleteStream(testNS, "orders") }); !errors.Is(err, ErrNotFound) {
		t.Errorf("second DeleteStream: %v, want ErrNotFound", err)
	}
	// The name can be used again.
	createStream(t, c, fullStream("orders"), 1)
}

func TestShards(t *testing.T) {
	c, _ := openTest(t)
	s := fullStream("orders")
	createStream(t, c, s, 2)
	// Split shard 0 into 2 and 3: close the parent, add two children.
	var parent Shard
	mustUpdate(t, c, func(tx *Tx) error {
		var err error
		if parent, err = tx.Shard(testNS, "orders", 0); err != nil {
			return err
		}
		mid, _ := hashkey.Parse("42535295865117307932921825928971026431")
		for i, r := range [][2]hashkey.Key{{parent.StartingHashKey, mid}, {func() hashkey.Key { m, _ := mid.Add(hashkey.Key{Lo: 1}); return m }(), parent.EndingHashKey}} {
			id, err := tx.NextLogID()
			if err != nil {
				return err
			}
			child := Shard{Index: uint64(2 + i), LogID: id, StartingHashKey: r[0], EndingHashKey: r[1],
				HasParent: true, ParentIndex: 0, Created: t0.Add(time.Minute)}
			if err := tx.PutShard(testNS, "orders", child); err != nil {
				return err
			}
		}
		parent.Closed, parent.ClosedAt, parent.EndingRecord = true, t0.Add(time.Minute), 77
		return tx.PutShard(testNS, "orders", parent)
	})
	mustView(t, c, func(tx *Tx) error {
		shards, err := tx.Shards(testNS, "orders")
		if err != nil {
			return err
		}
		if len(shards) != 4 {
			t.Fatalf("%d shards, want 4", len(shards))
		}
		for i, sh := range shards {
			if sh.Index != uint64(i) {
				t.Errorf("shard %d has index %d", i, sh.Index)
			}
		}
		if !reflect.DeepEqual(shards[0], parent) {
			t.Errorf("closed parent = %+v, want %+v", shards[0], parent)
		}
		if !shards[3].HasParent || shards[3].ParentIndex != 0 || shards[3].EndingHashKey != parent.EndingHashKey {
			t.Errorf("child = %+v", shards[3])
		}
		var from2 []uint64
		err = tx.ForEachShard(testNS, "orders", 2, func(sh Shard) error {
			from2 = append(from2, sh.Index)
			return nil
		})
		if !reflect.DeepEqual(from2, []uint64{2, 3}) {
			t.Errorf("ForEachShard from 2 = %v", from2)
		}
		if _, err := tx.Shard(testNS, "orders", 9); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing shard: %v", err)
		}
		return err
	})
	bad := map[string]func(tx *Tx) error{
		"LogID 0": func(tx *Tx) error { return tx.PutShard(testNS, "orders", Shard{Index: 9}) },
		"LogID not allocated": func(tx *Tx) error {
			return tx.PutShard(testNS, "orders", Shard{Index: 9, LogID: tx.peekNextLogID()})
		},
		"LogID changed": func(tx *Tx) error {
			sh, _ := tx.Shard(testNS, "orders", 1)
			sh.LogID = parent.LogID
			return tx.PutShard(testNS, "orders", sh)
		},
		"missing stream": func(tx *Tx) error { return tx.PutShard(testNS, "nope", Shard{LogID: 1}) },
	}
	for name, fn := range bad {
		if err := c.Update(fn); err == nil {
			t.Errorf("%s: PutShard succeeded", name)
		}
	}
	mustUpdate(t, c, func(tx *Tx) error { return tx.DeleteShard(testNS, "orders", 0) })
	mustView(t, c, func(tx *Tx) error {
		dead, _ := tx.DeadLogs()
		if !reflect.DeepEqual(dead, []uint64{parent.LogID}) {
			t.Errorf("DeadLogs after DeleteShard = %v, want [%d]", dead, parent.LogID)
		}
		shards, err := tx.Shards(testNS, "orders")
		if len(shards) != 3 || shards[0].Index != 1 {
			t.Errorf("shards after DeleteShard: %+v", shards)
		}
		return err
	})
}

func TestConsumers(t *testing.T) {
	c, _ := openTest(t)
	s := fullStream("orders")
	createStream(t, c, s, 1)
	a := &Consumer{StreamName: "orders", Name: "a", ARN: s.ARN + "/consumer/a:100", Status: "CREATING",
		Created: t0, StatusUntil: t0.Add(time.Second), Tags: map[string]string{"x": "y"}}
	b := &Consumer{StreamName: "orders", Name: "b", ARN: s.ARN + "/consumer/b:100", Status: "ACTIVE", Created: t0, Tags: map[string]string{}}
	mustUpdate(t, c, func(tx *Tx) error {
		for _, x := range []*Consumer{b, a} {
			if err := tx.PutConsumer(testNS, x); err != nil {
				return err
			}
		}
		return tx.PutPolicy(a.ARN, "pa")
	})
	mustView(t, c, func(tx *Tx) error {
		all, err := tx.Consumers(testNS, "orders")
		if !reflect.DeepEqual(all, []*Consumer{a, b}) {
			t.Errorf("Consumers = %+v", all)
		}
		if got, err := tx.ConsumerByARN(b.ARN); err != nil || !reflect.DeepEqual(got, b) {
			t.Errorf("ConsumerByARN = %+v %v", got, err)
		}
		if _, err := tx.ConsumerByARN(s.ARN); !errors.Is(err, ErrNotFound) {
			t.Errorf("ConsumerByARN(stream ARN): %v", err)
		}
		if _, err := tx.StreamByARN(a.ARN); !errors.Is(err, ErrNotFound) {
			t.Errorf("StreamByARN(consumer ARN): %v", err)
		}
		if r, _ := tx.Resolve(a.ARN); r != (Ref{testNS, "orders", "a"}) {
			t.Errorf("Resolve(consumer) = %+v", r)
		}
		return err
	})
	// Re-registering under a new ARN drops the old ARN and its policy.
	a2 := *a
	a2.ARN = s.ARN + "/consumer/a:200"
	mustUpdate(t, c, func(tx *Tx) error { return tx.PutConsumer(testNS, &a2) })
	mustView(t, c, func(tx *Tx) error {
		if _, err := tx.Resolve(a.ARN); !errors.Is(err, ErrNotFound) {
			t.Errorf("old consumer ARN still resolves: %v", err)
		}
		if _, err := tx.Policy(a.ARN); !errors.Is(err, ErrNotFound) {
			t.Errorf("old consumer ARN's policy survives: %v", err)
		}
		got, err := tx.GetConsumer(testNS, "orders", "a")
		if err != nil || got.ARN != a2.ARN {
			t.Errorf("GetConsumer after re-register = %+v %v", got, err)
		}
		return nil
	})
	for name, fn := range map[string]func(*Tx) error{
		"taken ARN":      func(tx *Tx) error { x := *b; x.Name = "c"; return tx.PutConsumer(testNS, &x) },
		"stream ARN":     func(tx *Tx) error { x := *b; x.Name = "c"; x.ARN = s.ARN; return tx.PutConsumer(testNS, &x) },
		"missing stream": func(tx *Tx) error { x := *b; x.StreamName = "nope"; return tx.PutConsumer(testNS, &x) },
		"empty name":     func(tx *Tx) error { x := *b; x.Name = ""; return tx.PutConsumer(testNS, &x) },
	} {
		if err := c.Update(fn); err == nil {
			t.Errorf("%s: PutConsumer succeeded", name)
		}
	}
	mustUpdate(t, c, func(tx *Tx) error { return tx.DeleteConsumer(testNS, "orders", "b") })
	mustView(t, c, func(tx *Tx) error {
		if _, err := tx.GetConsumer(testNS, "orders", "b"); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted consumer: %v", err)
		}
		if _, err := tx.Resolve(b.ARN); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted consumer's ARN: %v", err)
		}
		return nil
	})
	if err := c.Update(func(tx *Tx) error { return tx.DeleteConsumer(testNS, "orders", "b") }); !errors.Is(err, ErrNotFound) {
		t.Errorf("second DeleteConsumer: %v", err)
	}
}

func TestPoliciesAndSettings(t *testing.T) {
	c, _ := openTest(t)
	arn := testARN("x")
	mustUpdate(t, c, func(tx *Tx) error {
		if _, err := tx.AccountSettings(testNS); !errors.Is(err, ErrNotFound) {
			t.Errorf("settings before any: %v", err)
		}
		if err := tx.DeletePolicy(arn); !errors.Is(err, ErrNotFound) {
			t.Errorf("DeletePolicy of none: %v", err)
		}
		if err := tx.PutPolicy(arn, "p1"); err != nil {
			return err
		}
		if err := tx.PutPolicy(arn, "p2"); err != nil {
			return err
		}
		if err := tx.PutPolicy("", "p"); err == nil {
			t.Error("PutPolicy with an empty ARN succeeded")
		}
		return tx.PutAccountSettings(testNS, &AccountSettings{MinimumThroughputBillingCommitment: BillingCommitment{Status: "ENABLED", StartedAt: t0}})
	})
	mustView(t, c, func(tx *Tx) error {
		if p, err := tx.Policy(arn); p != "p2" || err != nil {
			t.Errorf("Policy = %q %v", p, err)
		}
		a, err := tx.AccountSettings(testNS)
		if err != nil || a.MinimumThroughputBillingCommitment.Status != "ENABLED" || !a.MinimumThroughputBillingCommitment.StartedAt.Equal(t0) {
			t.Errorf("AccountSettings = %+v %v", a, err)
		}
		if _, err := tx.AccountSettings("other/ns"); !errors.Is(err, ErrNotFound) {
			t.Errorf("settings of another namespace: %v", err)
		}
		return nil
	})
	mustUpdate(t, c, func(tx *Tx) error { return tx.DeletePolicy(arn) })
	mustView(t, c, func(tx *Tx) error {
		if _, err := tx.Policy(arn); !errors.Is(err, ErrNotFound) {
			t.Errorf("policy after delete: %v", err)
		}
		return nil
	})
}

func TestStreamIDFormat(t *testing.T) {
	re := regexp.MustCompile(`^[a-z0-9]{20}-[a-z0-9]{3}$`)
	r := rand.NewChaCha8([32]byte{9})
	counts := map[byte]int{}
	for range 2000 {
		id, err := newStreamID(r)
		if err != nil || !re.MatchString(id) {
			t.Fatalf("newStreamID = %q, %v", id, err)
		}
		for i := range len(id) {
			counts[id[i]]++
		}
	}
	// Every symbol turns up: 46,000 draws over 36 symbols.
	if len(counts) != 37 {
		t.Errorf("%d distinct characters in StreamIds, want 36 and '-'", len(counts))
	}
}
