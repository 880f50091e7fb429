package blackbox

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type encSummary struct{ Status, Encryption, KeyID string }

type encPut struct {
	Seq, Encryption string
}

type encBatch struct {
	Encryption string
	Failed     int
	Seqs       []string
}

type encRead struct {
	Records []struct{ Data, Seq, Encryption string }
}

// TestEncryptionCLIBoto3 turns encryption at rest on with the AWS CLI
// (start-stream-encryption with the AWS managed key alias/aws/kinesis),
// writes and reads with boto3, which must see EncryptionType KMS on the
// writes and on the records written while encrypted, turns it off again,
// and then, with the server stopped, searches every file of its data
// directory: the records written while encrypted must not be there in
// plain text, while those written before and after are (which shows the
// search would have found them). The server finishes updates at once
// (--update-delay 0s).
func TestEncryptionCLIBoto3(t *testing.T) {
	t.Parallel()
	id := identity{AccessKey: "AKIAEDDYBLACKBOX", Region: "eu-north-1", Account: "000000000000"}
	base := newCLI(t, id)
	env := clientEnv(t, id)
	python := boto3Python(t, env)
	srv := startServer(t, "--update-delay", "0s")
	c := base.at(srv.URL, "")
	const stream, key = "encrypted", "alias/aws/kinesis"

	nonce := make([]byte, 8)
	rand.Read(nonce)
	tag := hex.EncodeToString(nonce)
	plainBefore, plainAfter := "eddy-plain-"+tag+"-before", "eddy-plain-"+tag+"-after"
	secretPrefix := "eddy-secret-" + tag
	secrets := []string{secretPrefix + "-0", secretPrefix + "-1", secretPrefix + "-2", secretPrefix + "-3"}

	py := startLineClient(t, env, "", python, script(t, "python", "encryption.py"), "--endpoint", srv.URL, "--stream", stream)
	var ready struct{ Ready string }
	py.recv(&ready)
	var before, one, after encPut
	py.call("put "+plainBefore, &before)

	c.ok(nil, "start-stream-encryption", "--stream-name", stream, "--encryption-type", "KMS", "--key-id", key)
	var sum encSummary
	py.call("summary", &sum)
	if sum != (encSummary{"ACTIVE", "KMS", key}) {
		t.Errorf("after start-stream-encryption: %+v, want ACTIVE, KMS, %s", sum, key)
	}
	var batch encBatch
	py.call("put "+secrets[0], &one)
	py.call("put-batch "+strings.Join(secrets[1:], " "), &batch)
	if one.Encryption != "KMS" || batch.Encryption != "KMS" || batch.Failed != 0 {
		t.Errorf("writes while encrypted: PutRecord EncryptionType %q, PutRecords %q with %d failed; want KMS, KMS, 0",
			one.Encryption, batch.Encryption, batch.Failed)
	}
	want := []string{plainBefore + " ", secrets[0] + " KMS", secrets[1] + " KMS", secrets[2] + " KMS", secrets[3] + " KMS"}
	checkEncRead(t, py, "while encrypted", want)

	c.ok(nil, "stop-stream-encryption", "--stream-name", stream, "--encryption-type", "KMS", "--key-id", key)
	py.call("summary", &sum)
	if sum != (encSummary{"ACTIVE", "NONE", ""}) {
		t.Errorf("after stop-stream-encryption: %+v, want ACTIVE, NONE and no KeyId", sum)
	}
	py.call("put "+plainAfter, &after)
	if after.Encryption == "KMS" || before.Encryption == "KMS" {
		t.Errorf("PutRecord on an unencrypted stream answered EncryptionType %q before and %q after encryption", before.Encryption, after.Encryption)
	}
	// Records keep the encryption they were written with.
	checkEncRead(t, py, "after stopping", append(want, plainAfter+" "))
	py.send("quit")
	py.wait()

	srv.stop(t)
	found := map[string][]string{}
	var files int
	err := filepath.WalkDir(srv.Data, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		rel, _ := filepath.Rel(srv.Data, path)
		for _, m := range []string{plainBefore, plainAfter, secretPrefix} {
			if bytes.Contains(b, []byte(m)) {
				found[m] = append(found[m], rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("searched %d files; plain records found in %v", files, found)
	if len(found[secretPrefix]) > 0 {
		t.Errorf("records written while encrypted are in plain text in %v", found[secretPrefix])
	}
	if len(found[plainBefore]) == 0 || len(found[plainAfter]) == 0 {
		t.Errorf("records written unencrypted were not found in plain text (before: %v, after: %v): the search proves nothing",
			found[plainBefore], found[plainAfter])
	}
}

// checkEncRead reads the stream with boto3 and compares each record's data
// and EncryptionType ("data TYPE") with want.
func checkEncRead(t *testing.T, py *lineClient, when string, want []string) {
	t.Helper()
	var read encRead
	py.call("read", &read)
	var got []string
	for _, r := range read.Records {
		got = append(got, r.Data+" "+r.Encryption)
	}
	if !slices.Equal(got, want) {
		t.Errorf("GetRecords %s: %q, want %q (AWS gives unencrypted records no EncryptionType)", when, got, want)
	}
}
