package streams

import (
	"bytes"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/clock"
)

func FuzzOpenPageToken(f *testing.F) {
	codec, err := newIteratorCodec(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		f.Fatal(err)
	}
	s := &Service{clock: clock.NewFake(time.Unix(1_700_000_000, 0)), pages: &codec.sealer}
	f.Add(s.sealPage(pageToken{Kind: pageListShards, NS: "000000000000/us-east-1", Stream: "s", After: "shardId-000000000001", IssuedMs: 1_700_000_000_000, Filter: []byte{0, 0, 0, 0, 0, 0, 0, 0, 'A'}}))
	f.Add(s.sealPage(pageToken{Kind: pageListStreams, NS: "000000000000/us-east-1", After: "a"}))
	f.Add("AAAAAAAAAAE=")
	f.Fuzz(func(t *testing.T, tok string) {
		for _, kind := range []byte{pageListStreams, pageListShards, pageListConsumers} {
			if pt, err := s.openPage(tok, kind, "000000000000/us-east-1"); err == nil && pt.Kind != kind {
				t.Fatalf("token of kind %d opened as %d", pt.Kind, kind)
			}
		}
		if f, err := decodeShardFilter([]byte(tok)); err == nil {
			_ = f.encode()
		}
	})
}

func TestPageTokenRoundTrip(t *testing.T) {
	codec, _ := newIteratorCodec(bytes.Repeat([]byte{1}, 32))
	fake := clock.NewFake(time.Unix(1_700_000_000, 0))
	s := &Service{clock: fake, pages: &codec.sealer}
	want := pageToken{Kind: pageListShards, NS: "n", Stream: "s", Epoch: 7, After: "x", IssuedMs: fake.Now().UnixMilli(), Filter: []byte("f")}
	got, err := s.openPage(s.sealPage(want), pageListShards, "n")
	if err != nil || got.Stream != want.Stream || got.After != want.After || got.Epoch != 7 || string(got.Filter) != "f" {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := s.openPage(s.sealPage(want), pageListStreams, "n"); err == nil {
		t.Fatal("a ListShards token opened as a ListStreams token")
	}
	if _, err := s.openPage(s.sealPage(want), pageListShards, "other"); err == nil {
		t.Fatal("a token opened in another namespace")
	}
	fake.Advance(301 * time.Second)
	if _, err := s.openPage(s.sealPage(want), pageListShards, "n"); err == nil {
		t.Fatal("an expired token opened")
	}
}
