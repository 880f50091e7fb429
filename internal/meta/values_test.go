package meta

import (
	"encoding/hex"
	"reflect"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/hashkey"
)

func TestStreamRoundTrip(t *testing.T) {
	for _, s := range []*Stream{fullStream("orders"), {ARN: "a", Tags: map[string]string{}}} {
		s.Namespace, s.Name = "", ""
		got, err := decodeStream(encodeStream(s))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, s)
		}
	}
}

func TestShardRoundTrip(t *testing.T) {
	for _, s := range []Shard{
		{},
		{LogID: 7, StartingHashKey: hashkey.Key{Hi: 1, Lo: 2}, EndingHashKey: hashkey.Max, Created: t0},
		{LogID: 9, HasParent: true, ParentIndex: 3, HasAdjacentParent: true, AdjacentParentIndex: 4,
			Created: t0, Closed: true, ClosedAt: t0.Add(time.Minute), EndingRecord: 12345},
		{Created: time.Unix(0, 0).UTC()}, // the epoch is not the zero time
	} {
		var got Shard
		if err := decodeShard(encodeShard(&s), &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, s)
		}
	}
}

func TestConsumerAndSettingsRoundTrip(t *testing.T) {
	c := &Consumer{ARN: testARN("s") + "/consumer/c:1741964966", Status: "ACTIVE", Created: t0,
		StatusUntil: t0.Add(time.Second), Tags: map[string]string{"k": "v"}}
	gc, err := decodeConsumer(encodeConsumer(c))
	if err != nil || !reflect.DeepEqual(gc, c) {
		t.Errorf("consumer round trip: %+v %v", gc, err)
	}
	a := &AccountSettings{MinimumThroughputBillingCommitment: BillingCommitment{
		Status: "ENABLED", StartedAt: t0, EarliestAllowedEndAt: t0.Add(24 * time.Hour)}}
	ga, err := decodeSettings(encodeSettings(a))
	if err != nil || !reflect.DeepEqual(ga, a) {
		t.Errorf("settings round trip: %+v %v", ga, err)
	}
	r := Ref{Namespace: testNS, Stream: "s", Consumer: "c"}
	gr, err := decodeRef(encodeRef(r))
	if err != nil || gr != r {
		t.Errorf("ref round trip: %+v %v", gr, err)
	}
}

// TestEncodingGolden pins the byte layout of every record: a change here is a
// format change and needs a new record version, a new catalog format version
// and an update to docs/format/catalog.md.
func TestEncodingGolden(t *testing.T) {
	sh := Shard{LogID: 0x0102, StartingHashKey: hashkey.Key{Lo: 1}, EndingHashKey: hashkey.Max,
		HasParent: true, ParentIndex: 2, Created: time.Unix(0, 1000).UTC(), Closed: true,
		ClosedAt: time.Unix(0, 2000).UTC(), EndingRecord: 5}
	s := &Stream{ARN: "a", ID: "i", Incarnation: 300, Status: "ACTIVE", Created: time.Unix(0, 1).UTC(),
		Mode: "P", RetentionHours: 24, Tags: map[string]string{"b": "2", "a": "1"}, NextShardIndex: 2,
		ShardCountUpdates: []time.Time{time.Unix(0, 5).UTC()}, Resharding: []byte{0xff}}
	cases := []struct {
		name string
		got  []byte
		want string
	}{
		{"shard", encodeShard(&sh), "01" + "03" + "0000000000000102" +
			"00000000000000000000000000000001" + "ffffffffffffffffffffffffffffffff" +
			"0000000000000002" + "0000000000000000" + "00000000000003e8" + "00000000000007d0" + "0000000000000005"},
		{"stream", encodeStream(s), "01" + "0161" + "0169" + "ac02" + "06414354495645" +
			"ffffffffffffffffff01" + "02" + "0150" + "00" + "30" + "00" + "00" + "00" + "00" + "00" + "00" + "00" +
			"02" + "0161" + "0131" + "0162" + "0132" + "02" + "01" + "0a" + "01ff"},
		{"consumer", encodeConsumer(&Consumer{ARN: "a", Status: "S", Created: time.Unix(0, 1).UTC()}),
			"01" + "0161" + "0153" + "02" + "ffffffffffffffffff01" + "00"},
		{"settings", encodeSettings(&AccountSettings{}), "01" + "00" + "ffffffffffffffffff01" +
			"ffffffffffffffffff01" + "ffffffffffffffffff01"},
		{"ref", encodeRef(Ref{Namespace: "n", Stream: "s"}), "01" + "016e" + "0173" + "00"},
	}
	for _, c := range cases {
		if got := hex.EncodeToString(c.got); got != c.want {
			t.Errorf("%s encoding changed:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

// TestDecodersReject checks that every truncation, every extension and a
// wrong version of a valid value is refused rather than misread.
func TestDecodersReject(t *testing.T) {
	decoders := map[string]struct {
		valid  []byte
		decode func([]byte) error
	}{
		"stream": {encodeStream(fullStream("x")), func(b []byte) error { _, err := decodeStream(b); return err }},
		"shard": {encodeShard(&Shard{LogID: 1, Created: t0}), func(b []byte) error {
			var s Shard
			return decodeShard(b, &s)
		}},
		"consumer": {encodeConsumer(&Consumer{ARN: "a", Tags: map[string]string{"a": "b"}}),
			func(b []byte) error { _, err := decodeConsumer(b); return err }},
		"settings": {encodeSettings(&AccountSettings{}), func(b []byte) error { _, err := decodeSettings(b); return err }},
		"ref":      {encodeRef(Ref{Namespace: "n", Stream: "s"}), func(b []byte) error { _, err := decodeRef(b); return err }},
	}
	for name, d := range decoders {
		if err := d.decode(d.valid); err != nil {
			t.Fatalf("%s: valid value refused: %v", name, err)
		}
		for n := range len(d.valid) {
			if err := d.decode(d.valid[:n]); err == nil {
				t.Errorf("%s: truncated to %d bytes accepted", name, n)
			}
		}
		if err := d.decode(append(append([]byte(nil), d.valid...), 0)); err == nil {
			t.Errorf("%s: trailing byte accepted", name)
		}
		bad := append([]byte(nil), d.valid...)
		bad[0] = 2
		if err := d.decode(bad); err == nil {
			t.Errorf("%s: version 2 accepted", name)
		}
	}
	// Tags out of order would make two encodings of one map.
	e := encoder{}
	e.uvarint(2)
	e.str("b")
	e.str("")
	e.str("a")
	e.str("")
	d := decoder{b: e.b}
	d.tags()
	if d.finish() == nil {
		t.Error("tags out of order accepted")
	}
	var s Shard
	bad := encodeShard(&s)
	bad[1] = 0x80
	if decodeShard(bad, &s) == nil {
		t.Error("unknown shard flag accepted")
	}
}
