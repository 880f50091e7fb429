package kinesisapi

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// shape is what every generated structure implements.
type shape interface {
	DecodeAWS(enc awsproto.Encoding, body []byte) error
	AppendAWS(enc awsproto.Encoding, dst []byte) []byte
}

// allShapes returns a new value of every operation's input and output type
// and of the event types, found through the API interface.
func allShapes() []func() shape {
	var out []func() shape
	seen := map[reflect.Type]bool{}
	add := func(t reflect.Type) {
		if t.Kind() != reflect.Pointer || seen[t] || !t.Implements(reflect.TypeFor[shape]()) {
			return
		}
		seen[t] = true
		out = append(out, func() shape { return reflect.New(t.Elem()).Interface().(shape) })
	}
	api := reflect.TypeFor[API]()
	for i := range api.NumMethod() {
		m := api.Method(i).Type
		add(m.In(1))
		if m.NumOut() == 2 {
			add(m.Out(0))
		}
	}
	add(reflect.TypeFor[*SubscribeToShardEvent]())
	return out
}

// fill sets every exported field of v to a random value (times at
// millisecond precision, AWS's), leaving some optional ones absent.
func fill(v reflect.Value, rng *rand.Rand, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if depth > 0 && rng.IntN(4) == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), rng, depth+1)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.UnixMilli(rng.Int64N(4e12) - 1e12).UTC()))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), rng, depth+1)
			}
		}
	case reflect.String:
		const chars = "abcXYZ019_-\"\\/\n\t\x00\u00e9\U0001F600 "
		r := []rune(chars)
		b := make([]rune, rng.IntN(12))
		for i := range b {
			b[i] = r[rng.IntN(len(r))]
		}
		v.SetString(string(b))
	case reflect.Int32, reflect.Int64:
		v.SetInt(rng.Int64N(1<<40) - 1<<39)
		if v.Kind() == reflect.Int32 {
			v.SetInt(int64(int32(rng.Uint32())))
		}
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Float64, reflect.Float32:
		v.SetFloat(float64(rng.IntN(1000)) / 8)
	case reflect.Slice:
		n := rng.IntN(4)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fill(s.Index(i), rng, depth+1)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range rng.IntN(4) {
			k := reflect.New(v.Type().Key()).Elem()
			fill(k, rng, depth+1)
			e := reflect.New(v.Type().Elem()).Elem()
			fill(e, rng, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	}
}

// Every shape survives encode -> decode -> encode in both encodings, and
// the two encodings carry the same content (JSON -> value -> CBOR equals
// the CBOR of the original).
func TestRoundTripAllShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	shapes := allShapes()
	if len(shapes) < 60 {
		t.Fatalf("found only %d shapes", len(shapes))
	}
	for _, newShape := range shapes {
		for range 20 {
			orig := newShape()
			fill(reflect.ValueOf(orig).Elem(), rng, 0)
			name := reflect.TypeOf(orig).Elem().Name()
			js := orig.AppendAWS(awsproto.JSON, nil)
			cb := orig.AppendAWS(awsproto.CBOR, nil)
			for _, c := range []struct {
				enc  awsproto.Encoding
				body []byte
			}{{awsproto.JSON, js}, {awsproto.CBOR, cb}} {
				back := newShape()
				if err := back.DecodeAWS(c.enc, c.body); err != nil {
					t.Fatalf("%s: decode %v %q: %v", name, c.enc, c.body, err)
				}
				if again := back.AppendAWS(c.enc, nil); !bytes.Equal(again, c.body) {
					t.Fatalf("%s: %v round trip\n got %q\nwant %q", name, c.enc, again, c.body)
				}
				if c.enc == awsproto.JSON {
					if x := back.AppendAWS(awsproto.CBOR, nil); !bytes.Equal(x, cb) {
						t.Fatalf("%s: JSON and CBOR disagree\n json %s\n cbor %q\n  via %q", name, js, cb, x)
					}
				}
			}
		}
	}
}

func TestJSONTimestamps(t *testing.T) {
	for _, c := range []struct {
		ms   int64
		want string
	}{
		{1441215410867, "1441215410.867"}, {1441215410800, "1441215410.8"}, {1441215410000, "1441215410"},
		{1441215410860, "1441215410.86"}, {1441215410007, "1441215410.007"}, {-1500, "-1.5"}, {0, "0"},
	} {
		out := GetRecordsOutput{Records: []Record{{ApproximateArrivalTimestamp: ptr(time.UnixMilli(c.ms))}}}
		got := string(out.AppendAWS(awsproto.JSON, nil))
		want := `{"Records":[{"SequenceNumber":"","ApproximateArrivalTimestamp":` + c.want + `,"Data":"","PartitionKey":""}]}`
		if got != want {
			t.Errorf("%d ms: got %s, want %s", c.ms, got, want)
		}
	}
	// Decoding accepts integers, fractions and exponents; precision to the
	// nanosecond for plain decimals.
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"1441215410.867", time.UnixMilli(1441215410867)},
		{"1441215410", time.Unix(1441215410, 0)},
		{"1441215410.123456789", time.Unix(1441215410, 123456789)},
		{"1.441215410867E9", time.UnixMilli(1441215410867)},
		{"-1.5", time.UnixMilli(-1500)},
	} {
		var in GetShardIteratorInput
		if err := in.DecodeAWS(awsproto.JSON, []byte(`{"Timestamp":`+c.in+`}`)); err != nil {
			t.Fatal(err)
		}
		if d := in.Timestamp.Sub(c.want); d < -time.Microsecond || d > time.Microsecond {
			t.Errorf("%s: got %v, want %v", c.in, in.Timestamp, c.want.UTC())
		}
	}
}

// Required members are always written, optional ones only when set; a nil
// required list is written empty.
func TestOutputPresence(t *testing.T) {
	got := string((&GetRecordsOutput{}).AppendAWS(awsproto.JSON, nil))
	if got != `{"Records":[]}` {
		t.Errorf("got %s", got)
	}
	got = string((&ListStreamsOutput{HasMoreStreams: true, NextToken: ptr("t")}).AppendAWS(awsproto.JSON, nil))
	if got != `{"StreamNames":[],"HasMoreStreams":true,"NextToken":"t"}` {
		t.Errorf("got %s", got)
	}
	got = string((&GetShardIteratorOutput{}).AppendAWS(awsproto.JSON, nil))
	if got != `{}` {
		t.Errorf("got %s", got)
	}
}

func ptr[T any](v T) *T { return &v }
