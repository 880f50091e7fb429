package blackbox

import (
	"crypto/md5"
	"math/big"
	"regexp"
	"testing"
)

// Facts about Kinesis that every client test checks eddy against.

// hashSpace is 2^128, the size of the partition key hash space.
var hashSpace = new(big.Int).Lsh(big.NewInt(1), 128)

// shardRange is a shard and its hash key range, as DescribeStream gives it.
type shardRange struct {
	ShardID                    string
	StartingHashKey, EndingKey string
}

// wantRanges are the hash key ranges AWS gives the n shards of a new
// stream: equal parts of [0, 2^128), the last one ending at 2^128-1.
func wantRanges(n int) []shardRange {
	out := make([]shardRange, n)
	step := new(big.Int).Div(hashSpace, big.NewInt(int64(n)))
	for i := range n {
		start := new(big.Int).Mul(step, big.NewInt(int64(i)))
		end := new(big.Int).Sub(new(big.Int).Add(start, step), big.NewInt(1))
		if i == n-1 {
			end = new(big.Int).Sub(hashSpace, big.NewInt(1))
		}
		out[i] = shardRange{ShardID: shardID(i), StartingHashKey: start.String(), EndingKey: end.String()}
	}
	return out
}

func shardID(i int) string {
	const digits = "000000000000"
	s := big.NewInt(int64(i)).String()
	return "shardId-" + digits[:len(digits)-len(s)] + s
}

// shardFor is the shard a record goes to: the one whose range holds the
// explicit hash key if given, else the MD5 of the partition key read as a
// big-endian 128-bit number.
func shardFor(t *testing.T, shards []shardRange, partitionKey, explicitHashKey string) string {
	t.Helper()
	var h *big.Int
	if explicitHashKey != "" {
		var ok bool
		if h, ok = new(big.Int).SetString(explicitHashKey, 10); !ok {
			t.Fatalf("bad explicit hash key %q", explicitHashKey)
		}
	} else {
		sum := md5.Sum([]byte(partitionKey))
		h = new(big.Int).SetBytes(sum[:])
	}
	for _, s := range shards {
		lo, _ := new(big.Int).SetString(s.StartingHashKey, 10)
		hi, _ := new(big.Int).SetString(s.EndingKey, 10)
		if lo != nil && hi != nil && h.Cmp(lo) >= 0 && h.Cmp(hi) <= 0 {
			return s.ShardID
		}
	}
	t.Fatalf("no shard holds hash key %s (partition key %q) in %v", h, partitionKey, shards)
	return ""
}

// sequenceRE is the shape of a Kinesis sequence number: 56 decimal digits
// for the streams eddy creates, as on AWS.
var sequenceRE = regexp.MustCompile(`^[1-9][0-9]{55}$`)

// ascending reports whether the decimal sequence numbers increase strictly.
func ascending(seqs []string) bool {
	var prev *big.Int
	for _, s := range seqs {
		n, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return false
		}
		if prev != nil && n.Cmp(prev) <= 0 {
			return false
		}
		prev = n
	}
	return true
}

// The texts AWS sends, as recorded against real Kinesis (validation texts:
// internal/kinesisapi/VALIDATION.md).
func msgNotFound(stream, account string) string {
	return "Stream " + stream + " under account " + account + " not found."
}

const msgBadName = "1 validation error detected: Value 'bad name!' at 'streamName' failed to satisfy constraint: " +
	"Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"

const msgTokenAndName = "NextToken and StreamName cannot be provided together."

func arn(id identity, stream string) string {
	return "arn:aws:kinesis:" + id.Region + ":" + id.Account + ":stream/" + stream
}
