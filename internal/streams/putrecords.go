package streams

// PutRecords writes up to 500 records in one call. Every entry is checked
// (ExplicitHashKey range, the stream's maximum record size, the request's
// total size: 5 MiB, or 10 MiB once the stream's maximum record size is
// above 1 MiB) before anything is written, so a rejected request changes
// nothing. Results come back in request order; entries can fail on their
// own (throttling under --limits aws) with FailedRecordCount counting them.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/hashkey"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) PutRecords(ctx context.Context, in *kinesisapi.PutRecordsInput) (*kinesisapi.PutRecordsOutput, error) {
	c, st, sn, err := s.resolve(ctx, in.StreamName, in.StreamARN, in.StreamId)
	if err != nil {
		return nil, err
	}
	if err := s.writable(c, sn); err != nil {
		return nil, err
	}
	n := len(in.Records)
	hashes := make([]hashkey.Key, n)
	maxRecord := sn.m.MaxRecordSizeKiB << 10
	total := 0
	for i := range in.Records {
		e := &in.Records[i]
		size := len(e.Data) + len(e.PartitionKey)
		if size > maxRecord {
			return nil, errRecordTooLarge(recordPath(i), len(e.Data), maxRecord-len(e.PartitionKey))
		}
		total += size
		if hashes[i], err = hashOf(e.PartitionKey, e.ExplicitHashKey); err != nil {
			return nil, err
		}
	}
	if limit := requestLimit(sn); total > limit {
		return nil, errRecordsTooLarge(limit >> 20)
	}
	results := make([]putResult, n)
	if err := s.appendRouted(ctx, c, st, in.Records, hashes, results); err != nil {
		return nil, err
	}
	return s.putRecordsOutput(sn, results, total), nil
}

// requestLimit is the most a PutRecords request may carry: 5 MiB, or 10 MiB
// for streams whose maximum record size was raised above 1 MiB.
func requestLimit(sn *snapshot) int {
	if sn.m.MaxRecordSizeKiB > defaultMaxRecordSizeKiB {
		return 10 << 20
	}
	return 5 << 20
}

func recordPath(i int) string {
	return "records." + itoa(i+1) + ".member.data"
}

// putRecordsOutput builds the response with few allocations: the sequence
// numbers share one string.
func (s *Service) putRecordsOutput(sn *snapshot, results []putResult, bytes int) *kinesisapi.PutRecordsOutput {
	out := &kinesisapi.PutRecordsOutput{Records: make([]kinesisapi.PutRecordsResultEntry, len(results))}
	seqBuf := make([]byte, 0, len(results)*SeqNumLen)
	for i := range results {
		if results[i].errCode == "" {
			seqBuf = results[i].sh.base.Append(seqBuf, results[i].record)
		}
	}
	seqs := string(seqBuf)
	strs := make([]string, 0, len(results))
	failed, ok := 0, 0
	for i := range results {
		r := &results[i]
		e := &out.Records[i]
		if r.errCode != "" {
			failed++
			code, msg := r.errCode, r.errMsg
			e.ErrorCode, e.ErrorMessage = &code, &msg
			continue
		}
		strs = append(strs, seqs[ok*SeqNumLen:(ok+1)*SeqNumLen])
		e.SequenceNumber = &strs[len(strs)-1]
		e.ShardId = &r.sh.id
		ok++
	}
	out.FailedRecordCount = ptr(int32(failed))
	if sn.m.EncryptionType == string(kinesisapi.EncryptionTypeKms) {
		out.EncryptionType = ptr(kinesisapi.EncryptionTypeKms)
	}
	s.m.recordsIn.Add(ok)
	s.m.bytesIn.Add(bytes)
	return out
}
