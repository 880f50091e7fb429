package logstore

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestContract runs the log contract against every configuration.
func TestContract(t *testing.T) {
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			t.Run("append-read-reopen", func(t *testing.T) { testAppendRead(t, c) })
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
	_, err := h.s.Append(context.Background(), []Batch{{Log: 3, Entries: []Entry{entry(3, 0, 1)}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.s.Close(); !errors.Is(err, nil) {
		t.Fatal(err)
	}
	_ = time.Second
}
