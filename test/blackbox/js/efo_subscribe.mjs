// Enhanced fan-out with the AWS SDK for JavaScript v3 against an eddy server;
// prints one JSON summary.
//
// Run by test/blackbox/efo_test.go (TestEFOJavaScript), which starts the
// server and checks the summary: the consumer's registration (CREATING, then
// ACTIVE), SubscribeToShard from TRIM_HORIZON receiving the records written
// before the call in its first events and the records written after it as
// they are pushed, each event's ContinuationSequenceNumber and
// MillisBehindLatest, the refusal of a second subscription while the first
// is open, resuming with AFTER_SEQUENCE_NUMBER at the last continuation
// number, and deregistration.
//
// Usage: node efo_subscribe.mjs --endpoint URL --prefix NAME
//
// The client keeps its default transport, NodeHttp2Handler: HTTP/2 over TLS
// (ALPN h2) for https:// endpoints, cleartext HTTP/2 with prior knowledge
// (h2c) for http:// ones. The script reports every HTTP/2 session's
// negotiated protocol, and the event types of the raw event-stream messages
// in the order they arrived (the SDK consumes the initial-response event
// itself, so only the wire shows it). For https:// the caller sets
// NODE_EXTRA_CA_CERTS to eddy's certificate.

import { createRequire } from "node:module";
import { Transform, pipeline } from "node:stream";
import { parseArgs } from "node:util";

import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListStreamConsumersCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import { NodeHttp2Handler } from "@smithy/node-http-handler";

const http2 = createRequire(import.meta.url)("node:http2");
const sessions = { count: 0, protocols: [] };
const connect = http2.connect;
http2.connect = function (...args) {
  const session = connect.apply(this, args);
  sessions.count++;
  session.once("connect", () => sessions.protocols.push(session.alpnProtocol ?? ""));
  return session;
};

// wireEvents lists, per SubscribeToShard response, the :message-type and
// :event-type (or :exception-type) headers of each event-stream message.
const wireEvents = [];

// messageTypes splits an event stream into messages (prelude: total length
// and headers length, big-endian u32, then the prelude CRC) and reads the
// string headers that name each message.
function messageTypes(out) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 12 && buf.length >= buf.readUInt32BE(0)) {
      const total = buf.readUInt32BE(0);
      const headersEnd = 12 + buf.readUInt32BE(4);
      const headers = {};
      for (let p = 12; p < headersEnd; ) {
        const name = buf.toString("utf8", p + 1, p + 1 + buf[p]);
        p += 1 + buf[p];
        if (buf[p] !== 7) break; // only string headers name a message
        const len = buf.readUInt16BE(p + 1);
        headers[name] = buf.toString("utf8", p + 3, p + 3 + len);
        p += 3 + len;
      }
      out.push(headers[":event-type"] ?? headers[":exception-type"] ?? `?${headers[":message-type"]}`);
      buf = buf.subarray(total);
    }
  };
}

// TappingHandler is the default handler (one HTTP/2 session per request)
// that also records the message types of event-stream responses as the SDK
// reads them.
class TappingHandler extends NodeHttp2Handler {
  async handle(request, options) {
    const out = await super.handle(request, options);
    const body = out.response.body;
    if (!String(out.response.headers["content-type"]).startsWith("application/vnd.amazon.eventstream")) {
      return out;
    }
    const types = [];
    wireEvents.push(types);
    const note = messageTypes(types);
    const tap = new Transform({
      transform(chunk, _enc, done) {
        note(chunk);
        done(null, chunk);
      },
    });
    out.response.body = pipeline(body, tap, () => {});
    return out;
  }
}

async function errorOf(promise) {
  try {
    await promise;
  } catch (e) {
    if (!e.$metadata) throw e; // not a service error
    return { code: e.name, message: e.message, status: e.$metadata.httpStatusCode };
  }
  throw new Error("call succeeded but should have failed");
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const text = (s) => new TextEncoder().encode(s);
const BEFORE = [0, 1, 2, 3, 4].map((i) => `before-${i}`);
const AFTER = [0, 1, 2, 3, 4].map((i) => `after-${i}`);
const LATER = [0, 1, 2].map((i) => `later-${i}`);

// subscribe opens a subscription and reads events until want records
// arrived, calling onEvent after each event; the subscription is then
// closed.
async function subscribe(client, input, want, onEvent = async () => {}) {
  const abort = new AbortController();
  const res = await client.send(new SubscribeToShardCommand(input), { abortSignal: abort.signal });
  const events = [];
  let got = 0;
  try {
    for await (const ev of res.EventStream) {
      const e = ev.SubscribeToShardEvent;
      if (!e) throw new Error(`unexpected event ${JSON.stringify(Object.keys(ev))}`);
      const records = e.Records.map((r) => ({
        data: new TextDecoder().decode(r.Data),
        seq: r.SequenceNumber,
        encryption: r.EncryptionType ?? "",
      }));
      got += records.length;
      events.push({
        records,
        continuation: e.ContinuationSequenceNumber ?? null,
        behind: e.MillisBehindLatest ?? null,
        childShards: e.ChildShards?.length ?? 0,
      });
      await onEvent(events.length);
      if (got >= want) break;
    }
  } finally {
    abort.abort();
  }
  return events;
}

async function main(client, prefix) {
  const pkg = createRequire(import.meta.url)("@aws-sdk/client-kinesis/package.json");
  const out = { client: `@aws-sdk/client-kinesis ${pkg.version} (node ${process.version})` };
  const stream = `${prefix}-efo`;
  await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
  await waitUntilStreamExists({ client, minDelay: 1, maxDelay: 2, maxWaitTime: 30 }, { StreamName: stream });
  const streamARN = (await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary
    .StreamARN;
  const shard = "shardId-000000000000";

  const reg = (await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamARN, ConsumerName: "js-reader" })))
    .Consumer;
  const arn = reg.ConsumerARN;
  let desc;
  for (let i = 0; i < 100; i++) {
    desc = (await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn }))).ConsumerDescription;
    if (desc.ConsumerStatus === "ACTIVE") break;
    await sleep(50);
  }
  const listed = (await client.send(new ListStreamConsumersCommand({ StreamARN: streamARN }))).Consumers;
  out.consumer = {
    streamARN,
    arn,
    registeredStatus: reg.ConsumerStatus,
    describedStatus: desc.ConsumerStatus,
    describedStreamARN: desc.StreamARN,
    listed: listed.map((c) => c.ConsumerName),
  };

  const put = async (data) =>
    (await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: "pk", Data: text(data) }))).SequenceNumber;
  out.putSequenceNumbers = [];
  for (const d of BEFORE) out.putSequenceNumbers.push(await put(d));

  // The records written before the call arrive in the first events; once
  // the first event is in, the rest are written one by one and pushed.
  // While this subscription is open, a second one is refused.
  let afterWritten = false;
  out.events = await subscribe(
    client,
    { ConsumerARN: arn, ShardId: shard, StartingPosition: { Type: "TRIM_HORIZON" } },
    BEFORE.length + AFTER.length,
    async () => {
      if (afterWritten) return;
      afterWritten = true;
      out.secondSubscription = await errorOf(
        client.send(new SubscribeToShardCommand({ ConsumerARN: arn, ShardId: shard, StartingPosition: { Type: "LATEST" } })),
      );
      for (const d of AFTER) out.putSequenceNumbers.push(await put(d));
    },
  );

  // Resume after the last continuation number. The server frees the slot
  // when it notices the closed stream: retry briefly meanwhile.
  for (const d of LATER) await put(d);
  const last = out.events.at(-1).continuation;
  const resume = { ConsumerARN: arn, ShardId: shard, StartingPosition: { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: last } };
  for (let attempt = 0; ; attempt++) {
    try {
      out.resumedEvents = await subscribe(client, resume, LATER.length);
      out.resumeAttempts = attempt + 1;
      break;
    } catch (e) {
      if (e.name !== "ResourceInUseException" || attempt === 50) throw e;
      await sleep(100);
    }
  }
  out.resumed = out.resumedEvents.flatMap((e) => e.records.map((r) => r.data));

  await client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: arn }));
  out.afterDeregister = await errorOf(
    client.send(new SubscribeToShardCommand({ ConsumerARN: arn, ShardId: shard, StartingPosition: { Type: "LATEST" } })),
  );
  await client.send(new DeleteStreamCommand({ StreamName: stream, EnforceConsumerDeletion: true }));
  return out;
}

const { values: args } = parseArgs({ options: { endpoint: { type: "string" }, prefix: { type: "string" } } });
if (!args.endpoint || !args.prefix) {
  console.error("usage: node efo_subscribe.mjs --endpoint URL --prefix NAME");
  process.exit(2);
}
const client = new KinesisClient({
  endpoint: args.endpoint,
  maxAttempts: 1,
  // As the client's default handler is configured.
  requestHandler: new TappingHandler({ disableConcurrentStreams: true }),
});
try {
  const out = await main(client, args.prefix);
  out.handler = client.config.requestHandler.metadata?.handlerProtocol ?? "";
  out.http2Sessions = sessions;
  out.wireEvents = wireEvents;
  process.stdout.write(JSON.stringify(out) + "\n");
} finally {
  client.destroy();
}
