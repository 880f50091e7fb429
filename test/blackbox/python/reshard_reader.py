"""Writes records with boto3 around reshardings that the AWS CLI makes, then
reads them back following shard lineage; talks JSON lines on stdin/stdout.

Run by test/blackbox/reshard_test.go, which starts the server, runs the
CLI's split-shard, merge-shards and update-shard-count, and tells this
script when to write. The script creates the stream (--shards shards),
prints {"ready": ...} and then answers one JSON line per command:

  put PHASE ACTIVE     wait until the stream is ACTIVE, then write a batch
  put PHASE UPDATING   wait until the stream is UPDATING (the test starts a
                       resharding after sending this), then write a batch
                       and try a second resharding, which must be refused
  read                 read every shard, parents before children, print the
                       summary and exit

A batch is one PutRecords of two records for each of 16 partition keys; a
record's data is PHASE/KEY/N, N counting the key's records across batches,
so the reader can tell that records of one key come back in write order.
Each batch is bracketed by DescribeStreamSummary calls: a batch written
between two UPDATING answers was written while the stream was resharding.

Usage: reshard_reader.py --endpoint URL --stream NAME --shards N [--ca-bundle FILE]
"""

import argparse
import json
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

KEYS = ["k%02d" % i for i in range(16)]


def error_of(call):
    """Runs call and describes the service error it raised, or None."""
    try:
        call()
    except ClientError as e:
        return {
            "code": e.response["Error"]["Code"],
            "message": e.response["Error"].get("Message", ""),
            "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
        }
    return None


class Writer:
    def __init__(self, kinesis, stream):
        self.kinesis = kinesis
        self.stream = stream
        self.counts = {k: 0 for k in KEYS}

    def summary(self):
        return self.kinesis.describe_stream_summary(StreamName=self.stream)["StreamDescriptionSummary"]

    def wait_for(self, status):
        deadline = time.time() + 30
        while time.time() < deadline:
            s = self.summary()
            if s["StreamStatus"] == status:
                return s
            time.sleep(0.005)
        raise AssertionError("stream %s never became %s" % (self.stream, status))

    def put(self, phase, status):
        before = self.wait_for(status)
        entries, written = [], []
        for _ in range(2):
            for k in KEYS:
                data = "%s/%s/%d" % (phase, k, self.counts[k])
                self.counts[k] += 1
                entries.append({"PartitionKey": k, "Data": data.encode()})
                written.append({"data": data})
        res = self.kinesis.put_records(StreamName=self.stream, Records=entries)
        busy = None
        if status == "UPDATING":
            # One resharding at a time: asking for the current shard count
            # changes nothing if the stream is ACTIVE again by now.
            busy = error_of(lambda: self.kinesis.update_shard_count(
                StreamName=self.stream, TargetShardCount=before["OpenShardCount"], ScalingType="UNIFORM_SCALING"))
        after = self.summary()
        for w, r in zip(written, res["Records"]):
            w["shardId"] = r.get("ShardId", "")
            w["seq"] = r.get("SequenceNumber", "")
        return {
            "phase": phase,
            "before": before["StreamStatus"],
            "after": after["StreamStatus"],
            "openShards": before["OpenShardCount"],
            "failed": res["FailedRecordCount"],
            "records": written,
            "busy": busy,
        }


def list_all_shards(kinesis, stream):
    shards, token = [], None
    while True:
        res = kinesis.list_shards(NextToken=token) if token else kinesis.list_shards(StreamName=stream)
        shards += res["Shards"]
        token = res.get("NextToken")
        if not token:
            return shards


def read_shard(kinesis, stream, shard_id):
    """Reads a shard from TRIM_HORIZON to its end (closed) or its tip (open),
    in small batches; notes what each GetRecords response carried."""
    it = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records, responses = [], []
    for _ in range(200):
        out = kinesis.get_records(ShardIterator=it, Limit=25)
        records += [{"data": r["Data"].decode(), "seq": r["SequenceNumber"]} for r in out["Records"]]
        children = out.get("ChildShards")
        responses.append({
            "records": len(out["Records"]),
            "hasNextIterator": out.get("NextShardIterator") is not None,
            "behind": out.get("MillisBehindLatest"),
            "childShards": None if children is None else [{
                "shardId": c["ShardId"],
                "parentShards": c["ParentShards"],
                "startingHashKey": c["HashKeyRange"]["StartingHashKey"],
                "endingHashKey": c["HashKeyRange"]["EndingHashKey"],
            } for c in children],
        })
        it = out.get("NextShardIterator")
        if it is None:  # the end of a closed shard
            break
        if not out["Records"] and out.get("MillisBehindLatest") == 0:  # the tip of an open shard
            break
    return {"records": records, "responses": responses}


def read_lineage(kinesis, stream):
    """Reads every shard once, a shard only after its parents, lowest shard
    id first among those ready: the order that keeps each partition key's
    records in write order."""
    shards = list_all_shards(kinesis, stream)
    ids = {s["ShardId"] for s in shards}
    done, order, reads = set(), [], {}
    while len(done) < len(shards):
        ready = [s["ShardId"] for s in shards if s["ShardId"] not in done and all(
            p not in ids or p in done for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")) if p)]
        if not ready:
            raise AssertionError("no shard is ready to read: the lineage has a cycle")
        shard = min(ready)
        reads[shard] = read_shard(kinesis, stream, shard)
        order.append(shard)
        done.add(shard)
    return {"listed": [s["ShardId"] for s in shards], "order": order, "shards": reads}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--stream", required=True)
    ap.add_argument("--shards", type=int, required=True)
    ap.add_argument("--ca-bundle")
    args = ap.parse_args()
    kinesis = boto3.client(
        "kinesis",
        endpoint_url=args.endpoint,
        verify=args.ca_bundle if args.ca_bundle else True,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    kinesis.create_stream(StreamName=args.stream, ShardCount=args.shards)
    w = Writer(kinesis, args.stream)

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    reply({"ready": w.wait_for("ACTIVE")["StreamStatus"]})
    for line in sys.stdin:
        cmd = line.split()
        if cmd[:1] == ["put"] and len(cmd) == 3:
            reply(w.put(cmd[1], cmd[2]))
        elif cmd == ["read"]:
            reply(read_lineage(kinesis, args.stream))
            return
        else:
            raise SystemExit("unknown command %r" % line)


if __name__ == "__main__":
    main()
