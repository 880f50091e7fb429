"""Writes and reads a stream with boto3 while the AWS CLI turns encryption
at rest on and off; talks JSON lines on stdin/stdout.

Run by test/blackbox/encryption_test.go, which starts the server, runs the
CLI's start-stream-encryption and stop-stream-encryption between commands,
and checks the answers. The script creates a 1-shard stream, prints
{"ready": ...} and then answers one JSON line per command:

  summary          the stream's status, EncryptionType and KeyId
  put DATA         PutRecord; its SequenceNumber and EncryptionType
  put-batch DATA.. PutRecords; its EncryptionType and per-record results
  read             GetRecords from TRIM_HORIZON to the tip: each record's
                   data, sequence number and EncryptionType ("" if absent)
  quit             exit

Usage: encryption.py --endpoint URL --stream NAME [--ca-bundle FILE]
"""

import argparse
import json
import sys

import boto3
from botocore.config import Config

PARTITION_KEY = "pk"  # not encrypted on disk: keep markers out of it


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--stream", required=True)
    ap.add_argument("--ca-bundle")
    args = ap.parse_args()
    kinesis = boto3.client(
        "kinesis",
        endpoint_url=args.endpoint,
        verify=args.ca_bundle if args.ca_bundle else True,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    stream = args.stream

    def summary():
        s = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
        return {"status": s["StreamStatus"], "encryption": s.get("EncryptionType", ""), "keyId": s.get("KeyId", "")}

    def read():
        shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
        it = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = []
        for _ in range(20):
            out = kinesis.get_records(ShardIterator=it)
            records += [{
                "data": r["Data"].decode(),
                "seq": r["SequenceNumber"],
                "encryption": r.get("EncryptionType", ""),
            } for r in out["Records"]]
            if not out["Records"]:
                break
            it = out["NextShardIterator"]
        return {"records": records}

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    reply({"ready": summary()["status"]})
    for line in sys.stdin:
        cmd = line.split()
        if cmd == ["summary"]:
            reply(summary())
        elif cmd[:1] == ["put"] and len(cmd) == 2:
            res = kinesis.put_record(StreamName=stream, PartitionKey=PARTITION_KEY, Data=cmd[1].encode())
            reply({"seq": res["SequenceNumber"], "encryption": res.get("EncryptionType", "")})
        elif cmd[:1] == ["put-batch"]:
            res = kinesis.put_records(StreamName=stream, Records=[
                {"PartitionKey": PARTITION_KEY, "Data": d.encode()} for d in cmd[1:]])
            reply({
                "encryption": res.get("EncryptionType", ""),
                "failed": res["FailedRecordCount"],
                "seqs": [r.get("SequenceNumber", "") for r in res["Records"]],
            })
        elif cmd == ["read"]:
            reply(read())
        elif cmd == ["quit"]:
            return
        else:
            raise SystemExit("unknown command %r" % line)


if __name__ == "__main__":
    main()
