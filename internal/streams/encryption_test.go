package streams_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/testenv"
)

func TestEncryptionAtRest(t *testing.T) {
	e := testenv.Start(t, testenv.Options{})
	ctx := context.Background()
	k := e.Kinesis
	createActive(t, e, "enc", 1)
	name := aws.String("enc")
	_, err := k.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: name, EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("nope")})
	var nf *types.KMSNotFoundException
	if !asErr(err, &nf) {
		t.Fatalf("bad key id: %v", err)
	}
	if _, err := k.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: name, EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, e, "enc")
	secret := []byte("SECRET-PLAINTEXT-MARKER-4f1c9a")
	put, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("p"), Data: secret})
	if err != nil || put.EncryptionType != types.EncryptionTypeKms {
		t.Fatalf("put encrypted: %v %v", err, put)
	}
	puts, err := k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("p"), Data: secret}}})
	if err != nil || puts.EncryptionType != types.EncryptionTypeKms {
		t.Fatalf("puts encrypted: %v %v", err, puts)
	}
	d, _ := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name})
	if d.StreamDescription.EncryptionType != types.EncryptionTypeKms || aws.ToString(d.StreamDescription.KeyId) != "alias/aws/kinesis" {
		t.Fatalf("describe: %v %v", d.StreamDescription.EncryptionType, d.StreamDescription.KeyId)
	}
	if _, err := k.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: name, EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, e, "enc")
	plain := []byte("plain-after-stop")
	if _, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("p"), Data: plain}); err != nil {
		t.Fatal(err)
	}
	check := func(e *testenv.Env) {
		it, err := e.Kinesis.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String("0"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.Kinesis.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil || len(out.Records) != 3 {
			t.Fatalf("read: %v %d", err, len(out.Records))
		}
		for i, r := range out.Records {
			want, enc := secret, types.EncryptionTypeKms
			if i == 2 {
				want, enc = plain, ""
			}
			if !bytes.Equal(r.Data, want) || r.EncryptionType != enc {
				t.Fatalf("record %d: %q %q", i, r.Data, r.EncryptionType)
			}
		}
	}
	check(e)
	e = e.Restart()
	check(e)
	e.Close() // flush everything to disk before looking
	found := false
	err = filepath.WalkDir(e.Data, func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, secret) {
			t.Errorf("plaintext of an encrypted record found in %s", path)
		}
		if bytes.Contains(b, plain) {
			found = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatal("the unencrypted record is not on disk either: the scan looks in the wrong place")
	}
}
