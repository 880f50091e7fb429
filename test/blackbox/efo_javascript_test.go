package blackbox

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// jsEFOSession is what js/efo_subscribe.mjs prints.
type jsEFOSession struct {
	Client   string
	Consumer struct {
		StreamARN, ARN                    string
		RegisteredStatus, DescribedStatus string
		DescribedStreamARN                string
		Listed                            []string
	}
	PutSequenceNumbers []string
	Events             []efoEvent
	SecondSubscription serviceError
	ResumedEvents      []efoEvent
	ResumeAttempts     int
	AfterDeregister    serviceError

	Handler       string
	HTTP2Sessions struct {
		Count     int
		Protocols []string
	}
	WireEvents [][]string // per subscription, the message types in arrival order
}

type efoEvent struct {
	Records []struct {
		Data, Seq, Encryption string
	}
	Continuation *string
	Behind       *int64
	ChildShards  int
}

// TestEFOJavaScript runs the AWS SDK for JavaScript v3's enhanced fan-out
// (RegisterStreamConsumer, SubscribeToShard, DeregisterStreamConsumer) with
// the client's default HTTP/2 transport: cleartext HTTP/2 (h2c) for the
// http:// endpoint and HTTP/2 over TLS for the https:// one. The event
// stream arrives over HTTP/2; the script reports which protocol every
// session negotiated and the message types on the wire.
func TestEFOJavaScript(t *testing.T) {
	t.Parallel()
	node := clientBinary(t, "EDDY_NODE", "node")
	id := identity{AccessKey: "AKIAEDDYBLACKBOX", Region: "eu-west-1", Account: "000000000000"}
	env := clientEnv(t, id)
	r := runClient(t, env, "", node, "--version")
	if v := majorVersion(r.Stdout); r.Code != 0 || v < 20 {
		missing(t, "%s --version = %q: the AWS SDK for JavaScript v3 needs Node.js 20 or later", node, r.Stdout)
	}
	dir, err := filepath.Abs("js")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-kinesis")); err != nil {
		missing(t, "@aws-sdk/client-kinesis is not installed: run `npm ci` in test/blackbox/js")
	}
	srv := startServer(t)

	for _, c := range []struct{ name, endpoint, protocol string }{
		{"h2c", srv.URL, "h2c"},
		{"h2-tls", srv.TLSURL, "h2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			prefix := "js-efo-" + c.name
			runEnv := append(env[:len(env):len(env)], "NODE_EXTRA_CA_CERTS="+srv.CertFile)
			r := runClient(t, runEnv, dir, node, "efo_subscribe.mjs", "--endpoint", c.endpoint, "--prefix", prefix)
			if r.Code != 0 {
				t.Fatalf("efo_subscribe.mjs failed: %s", r)
			}
			var s jsEFOSession
			decodeJSON(t, "efo_subscribe.mjs", r.Stdout, &s)
			t.Logf("%s: enhanced fan-out session took %s over %d HTTP/2 sessions (%s); wire messages %v",
				s.Client, r.Took.Round(1e6), s.HTTP2Sessions.Count, strings.Join(slices.Compact(slices.Clone(s.HTTP2Sessions.Protocols)), ","), s.WireEvents)
			checkJSEFOSession(t, s, prefix, id)

			h := s.HTTP2Sessions
			if s.Handler != "h2" || h.Count == 0 || len(h.Protocols) != h.Count {
				t.Errorf("handler %q with %d HTTP/2 sessions, %d connected; want h2 and every request on HTTP/2", s.Handler, h.Count, len(h.Protocols))
			}
			for _, p := range h.Protocols {
				if p != c.protocol {
					t.Errorf("an HTTP/2 session negotiated %q, want %q (all: %v)", p, c.protocol, h.Protocols)
					break
				}
			}
		})
	}
}

func checkJSEFOSession(t *testing.T, s jsEFOSession, prefix string, id identity) {
	t.Helper()
	stream := prefix + "-efo"
	streamARN := arn(id, stream)
	c := s.Consumer
	if c.StreamARN != streamARN || !strings.HasPrefix(c.ARN, streamARN+"/consumer/js-reader:") || c.DescribedStreamARN != streamARN {
		t.Errorf("consumer ARNs: %+v", c)
	}
	if c.RegisteredStatus != "CREATING" || c.DescribedStatus != "ACTIVE" || !slices.Equal(c.Listed, []string{"js-reader"}) {
		t.Errorf("consumer: %+v", c)
	}

	// The five records written before the call come first, then the five
	// written while subscribed, each once and in order, with the sequence
	// numbers PutRecord gave.
	var want []string
	for _, phase := range []string{"before", "after"} {
		for i := range 5 {
			want = append(want, fmt.Sprintf("%s-%d", phase, i))
		}
	}
	data, seqs := checkEFOEvents(t, "subscription", s.Events)
	if !slices.Equal(data, want) || !slices.Equal(seqs, s.PutSequenceNumbers) {
		t.Errorf("subscription read %v (%v), want %v (%v)", data, seqs, want, s.PutSequenceNumbers)
	}
	if len(s.Events) < 2 {
		t.Errorf("%d events: the records written after subscribing should arrive in later events than the first", len(s.Events))
	}
	resumed, _ := checkEFOEvents(t, "resumed subscription", s.ResumedEvents)
	if !slices.Equal(resumed, []string{"later-0", "later-1", "later-2"}) {
		t.Errorf("resumed with AFTER_SEQUENCE_NUMBER at the last continuation number: %v", resumed)
	}
	if s.ResumeAttempts != 1 {
		t.Logf("resubscribing took %d attempts (the server frees a subscription's slot when its stream closes)", s.ResumeAttempts)
	}
	// initial-response comes first on the wire, then only events.
	if len(s.WireEvents) != 2 {
		t.Errorf("%d event-stream responses seen on the wire, want 2", len(s.WireEvents))
	}
	for i, types := range s.WireEvents {
		if len(types) < 2 || types[0] != "initial-response" {
			t.Errorf("subscription %d: message types %v, want initial-response first", i, types)
			continue
		}
		for _, ty := range types[1:] {
			if ty != "SubscribeToShardEvent" {
				t.Errorf("subscription %d: message types %v, want only SubscribeToShardEvent after initial-response", i, types)
				break
			}
		}
	}

	shard := "shardId-000000000000"
	checkError(t, "second subscription", s.SecondSubscription, serviceError{"ResourceInUseException",
		"Another active subscription exists for this consumer: " + id.Account + ":" + stream + ":" + shard + ":js-reader", 400})
	checkError(t, "subscribe after deregistration", s.AfterDeregister, serviceError{"ResourceNotFoundException",
		"Consumer " + c.ARN + " not found.", 400})
}

// checkEFOEvents checks the events of one subscription to an open shard at
// its tip: every event has a ContinuationSequenceNumber (the last record's
// when it carries records, never going back) and MillisBehindLatest (0 for
// a reader that keeps up), and no ChildShards. It returns the records' data
// and sequence numbers.
func checkEFOEvents(t *testing.T, what string, events []efoEvent) (data, seqs []string) {
	t.Helper()
	var continuations []string
	for i, ev := range events {
		if ev.Continuation == nil || ev.Behind == nil {
			t.Errorf("%s event %d lacks ContinuationSequenceNumber or MillisBehindLatest", what, i)
			continue
		}
		for _, r := range ev.Records {
			data, seqs = append(data, r.Data), append(seqs, r.Seq)
			if r.Encryption != "" {
				t.Errorf("%s event %d: record %s has EncryptionType %q on an unencrypted stream (AWS sends none)", what, i, r.Data, r.Encryption)
			}
		}
		if n := len(ev.Records); n > 0 && *ev.Continuation != ev.Records[n-1].Seq {
			t.Errorf("%s event %d: continuation %s, last record %s", what, i, *ev.Continuation, ev.Records[n-1].Seq)
		}
		if *ev.Behind != 0 {
			t.Errorf("%s event %d: MillisBehindLatest %d for a reader at the tip, want 0", what, i, *ev.Behind)
		}
		if ev.ChildShards != 0 {
			t.Errorf("%s event %d carries ChildShards on an open shard", what, i)
		}
		if len(continuations) == 0 || continuations[len(continuations)-1] != *ev.Continuation {
			continuations = append(continuations, *ev.Continuation)
		}
	}
	if !ascending(continuations) {
		t.Errorf("%s: continuation numbers go back: %v", what, continuations)
	}
	return data, seqs
}
