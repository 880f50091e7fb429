package blackbox

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// efoSession is what python/efo_subscribe.py prints.
type efoSession struct {
	Consumer struct {
		StreamARN, ARN                    string
		RegisteredStatus, DescribedStatus string
		DescribedStreamARN                string
		Listed                            []string
	}
	PutSequenceNumbers []string
	Events             []struct {
		Records []struct {
			Data, Seq string
		}
		Continuation *string
		Behind       *int64
	}
	SecondSubscription serviceError
	Resumed            []string
	Errors             struct {
		UnknownShard, BadPosition, UnknownConsumer serviceError
	}
	AfterDeregister serviceError
}

// TestEFOBoto3 runs boto3's enhanced fan-out (RegisterStreamConsumer,
// SubscribeToShard, DeregisterStreamConsumer) against the server over HTTP
// and HTTPS; boto3 receives the event stream over HTTP/1.1.
func TestEFOBoto3(t *testing.T) {
	t.Parallel()
	python := clientBinary(t, "EDDY_PYTHON", "python3")
	id := identity{AccessKey: "AKIDEXAMPLE", Region: "eu-west-1", Account: "000000000000"}
	env := clientEnv(t, id)
	if r := runClient(t, env, "", python, "-c", "import boto3"); r.Code != 0 {
		missing(t, "%s cannot import boto3 (Debian: python3-boto3): %s", python, r.Stderr)
	}
	script, err := filepath.Abs(filepath.Join("python", "efo_subscribe.py"))
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t)
	for _, c := range []struct {
		name, prefix string
		args         []string
	}{
		{"http", "efo-http", []string{"--endpoint", srv.URL}},
		{"https", "efo-https", []string{"--endpoint", srv.TLSURL, "--ca-bundle", srv.CertFile}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runClient(t, env, "", python, append([]string{script, "--prefix", c.prefix}, c.args...)...)
			if r.Code != 0 {
				t.Fatalf("efo_subscribe.py failed: %s", r)
			}
			var s efoSession
			decodeJSON(t, "efo_subscribe.py", r.Stdout, &s)
			checkEFOSession(t, s, c.prefix, id)
		})
	}
}

func checkEFOSession(t *testing.T, s efoSession, prefix string, id identity) {
	t.Helper()
	stream := prefix + "-efo"
	streamARN := "arn:aws:kinesis:" + id.Region + ":" + id.Account + ":stream/" + stream
	c := s.Consumer
	if c.StreamARN != streamARN || !strings.HasPrefix(c.ARN, streamARN+"/consumer/reader:") || c.DescribedStreamARN != streamARN {
		t.Errorf("consumer ARNs: %+v", c)
	}
	if c.RegisteredStatus != "CREATING" || c.DescribedStatus != "ACTIVE" || !slices.Equal(c.Listed, []string{"reader"}) {
		t.Errorf("consumer: %+v", c)
	}

	// Every record once, in order, with the sequence numbers PutRecord gave;
	// each event's continuation number is its last record's.
	var data, seqs []string
	for i, ev := range s.Events {
		if ev.Continuation == nil || ev.Behind == nil {
			t.Errorf("event %d lacks ContinuationSequenceNumber or MillisBehindLatest", i)
			continue
		}
		for _, r := range ev.Records {
			data, seqs = append(data, r.Data), append(seqs, r.Seq)
		}
		if n := len(ev.Records); n > 0 && *ev.Continuation != ev.Records[n-1].Seq {
			t.Errorf("event %d: continuation %s, last record %s", i, *ev.Continuation, ev.Records[n-1].Seq)
		}
	}
	var want []string
	for i := range 20 {
		want = append(want, fmt.Sprintf("efo-%02d", i))
	}
	if !slices.Equal(data, want) || !slices.Equal(seqs, s.PutSequenceNumbers) {
		t.Errorf("subscription read %v (%v), want %v (%v)", data, seqs, want, s.PutSequenceNumbers)
	}
	if !slices.Equal(s.Resumed, []string{"later-0", "later-1", "later-2"}) {
		t.Errorf("resumed after the continuation number: %v", s.Resumed)
	}

	shard := "shardId-000000000000"
	rejected := func(code, message string) serviceError {
		return serviceError{Code: code, Message: message, Status: 400}
	}
	checkError(t, "second subscription", s.SecondSubscription, rejected("ResourceInUseException",
		"Another active subscription exists for this consumer: "+id.Account+":"+stream+":"+shard+":reader"))
	checkError(t, "unknown shard", s.Errors.UnknownShard, rejected("ResourceNotFoundException",
		"Shard shardId-000000000099 in stream "+stream+" under account "+id.Account+" does not exist"))
	checkError(t, "AT_SEQUENCE_NUMBER without a number", s.Errors.BadPosition, rejected("InvalidArgumentException",
		"Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber."))
	checkError(t, "unknown consumer", s.Errors.UnknownConsumer, rejected("ResourceNotFoundException",
		"Consumer nobody under stream "+stream+" and account "+id.Account+" not found."))
	// The server deletes at once (--delete-delay 0s): the consumer is gone.
	checkError(t, "subscribe after deregistration", s.AfterDeregister, rejected("ResourceNotFoundException",
		"Consumer "+c.ARN+" not found."))
}
