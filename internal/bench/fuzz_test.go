package bench

import "testing"

// The load generator parses responses from servers under test (eddy and
// its peers) and record payloads read back; none of it may panic on bad
// input.

func FuzzScanPutRecords(f *testing.F) {
	f.Add([]byte(`{"FailedRecordCount":1,"Records":[{"SequenceNumber":"49","ShardId":"shardId-000000000000"},{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded"}]}`))
	f.Add([]byte(`{"Records":[null,{}],"EncryptionType":"KMS"}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = scanPutRecords(b, nil)
	})
}

func FuzzScanRecords(f *testing.F) {
	f.Add([]byte(`{"Records":[{"SequenceNumber":"49","ApproximateArrivalTimestamp":1.7E9,"Data":"AAAA","PartitionKey":"k"}],"NextShardIterator":"AA\/B","MillisBehindLatest":0,"ChildShards":[{"ShardId":"s","ParentShards":["p"],"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"1"}}]}`))
	f.Add([]byte(`{"Records":[],"NextShardIterator":null}`))
	f.Add([]byte(`[1,2`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var res readResult
		_ = scanRecords(b, &res)
	})
}

func FuzzParseRecord(f *testing.F) {
	m := newRecordMaker(1, 2, 100)
	f.Add(m.data(KeyHash("k"), 3, 4), "k")
	f.Add([]byte("short"), "k")
	f.Fuzz(func(t *testing.T, data []byte, pk string) {
		_, _ = ParseRecord(data, pk)
	})
}
