// The relay benchmark's load generator (bench/relay.py starts it; docs/benchmarks.md).
//
// One Node process speaking Socket.IO v5 (Engine.IO 4) over raw WebSockets, so that the load generator is not
// what limits the run: a python-socketio client on one core tops out far below the rates measured here.
// It drives either wsChat (widget sessions, agent log-in, chat.start, message.send) or the bare
// python-socketio relay of bench/relay.py (the same events without any checks), and prints one JSON line
// per phase on stdout:
//
//   {"phase": "memory", ...}         visitors on the site without a chat: resident memory per socket
//   {"phase": "setup", ...}          agents online, then every visitor connected with its chat started and
//                                    assigned, all at once: seconds until the last was acknowledged/assigned,
//                                    and resident memory per visitor (socket and chat)
//   {"phase": "open", "rate": R}     an open loop at R messages/s for S seconds
//   {"phase": "closed"}              a closed loop: each visitor sends its next message when its last one
//                                    reached the agent; the maximum deliveries per second
//
// Latency is the visitor's emit → the assigned agent's `message.new`. Server CPU and memory are read from
// /proc/<pid> of the server (given by --pid) around each phase. Acknowledged client ids are appended to
// --acked (one per line) so that relay.py can check afterwards that each is stored exactly once.
//
//   node bench/loadgen.mjs '{"url": "http://127.0.0.1:8000", "mode": "wschat", ...}'

import { createRequire } from "node:module";
import { readFileSync, appendFileSync } from "node:fs";
import http from "node:http";
import { performance } from "node:perf_hooks";

const require = createRequire(new URL("../frontend/package.json", import.meta.url));
const WebSocket = require("ws");

const opts = JSON.parse(process.argv[2]);
const CLK_TCK = 100; // Linux USER_HZ

let killed = false;

function serverCpu() {
  if (killed) return NaN;
  const fields = readFileSync(`/proc/${opts.pid}/stat`, "utf8").split(")").pop().trim().split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function serverRssKb() {
  const line = readFileSync(`/proc/${opts.pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
  return Number(line.split(/\s+/)[1]);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One Socket.IO connection to one namespace: emit with ack, handlers for server events. */
class Socket {
  constructor(url, namespace, auth) {
    this.namespace = namespace;
    this.handlers = new Map();
    this.acks = new Map();
    this.nextAck = 1;
    this.ws = new WebSocket(`${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
    });
    this.ready = new Promise((resolve, reject) => {
      this.ws.on("error", reject);
      this.ws.on("close", () => reject(new Error(`closed before ${namespace} connected`)));
      this.ws.on("message", (raw) => this.receive(raw.toString(), auth, resolve, reject));
    });
    this.ws.on("close", () => {
      for (const done of this.acks.values()) done({ ok: false, error: { code: "CLOSED" } });
      this.acks.clear();
    });
  }

  receive(text, auth, resolve, reject) {
    const type = text[0];
    if (type === "2") return this.ws.send("3"); // Engine.IO ping
    if (type === "0") return this.ws.send(`40${this.namespace},${JSON.stringify(auth)}`);
    if (type !== "4") return;
    const kind = text[1];
    const body = text.slice(text.indexOf(",") + 1);
    if (kind === "0") return resolve(this);
    if (kind === "4") return reject(new Error(`${this.namespace} refused: ${body}`));
    let i = 0;
    while (body.charCodeAt(i) >= 48 && body.charCodeAt(i) <= 57) i += 1;
    const id = i ? Number(body.slice(0, i)) : null;
    const data = JSON.parse(body.slice(i));
    if (kind === "3") {
      const done = this.acks.get(id);
      this.acks.delete(id);
      if (done) done(data[0]);
    } else if (kind === "2") {
      const handler = this.handlers.get(data[0]);
      if (handler) handler(data[1]);
    }
  }

  on(event, handler) {
    this.handlers.set(event, handler);
  }

  call(event, payload, timeoutMs = 30000) {
    const id = this.nextAck++;
    this.ws.send(`42${this.namespace},${id}${JSON.stringify([event, payload])}`);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        resolve({ ok: false, error: { code: "TIMEOUT" } });
      }, timeoutMs);
      this.acks.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  close() {
    this.ws.terminate();
  }
}

// A new connection per request, closed after it (no keep-alive pool held open on the server): each
// visitor's browser makes one request to the widget before its socket, not a thousand idle connections.
const noKeepAlive = new http.Agent({ keepAlive: false });

function post(path, body) {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${opts.url}${path}`,
      { method: "POST", agent: noKeepAlive, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) } },
      (reply) => {
        let text = "";
        reply.on("data", (chunk) => (text += chunk));
        reply.on("end", () => {
          if (reply.statusCode >= 400) reject(new Error(`${path}: ${reply.statusCode} ${text}`));
          else resolve(JSON.parse(text));
        });
      },
    );
    request.on("error", reject);
    request.end(data);
  });
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))];
}

// -- set-up -------------------------------------------------------------------------------------------------

const sentAt = new Map(); // client id → performance.now() of the emit
const state = { delivered: 0, latencies: [], onDelivered: null };

function onMessage(data) {
  const clientId = data.message.client_id;
  const started = sentAt.get(clientId);
  if (started === undefined) return;
  sentAt.delete(clientId);
  state.latencies.push(performance.now() - started);
  state.delivered += 1;
  if (state.onDelivered) state.onDelivered(clientId);
}

async function connectAgents() {
  const agents = [];
  for (let i = 0; i < opts.agents; i++) {
    let socket;
    if (opts.mode === "wschat") {
      const { token } = await post("/api/auth/login", { tenant: opts.tenant, login: `agent${i}`, password: opts.password });
      socket = await new Socket(opts.url, "/agent", { token }).ready;
      const reply = await socket.call("status.set", { status: "online" });
      if (!reply.ok) throw new Error(`status.set: ${JSON.stringify(reply)}`);
    } else {
      socket = await new Socket(opts.url, "/agent", { id: String(i) }).ready;
    }
    socket.on("message.new", onMessage);
    agents.push(socket);
  }
  return agents;
}

/** Every visitor at once: session, socket, chat.start; done when each start is acked and its chat assigned. */
async function startVisitors(agents) {
  const assigned = new Set();
  let allAssigned = null;
  const everyone = new Promise((resolve) => (allAssigned = resolve));
  const noteAssigned = (id) => {
    assigned.add(id);
    if (assigned.size === opts.visitors) allAssigned();
  };
  for (const agent of agents) agent.on("chat.assigned", (data) => noteAssigned(data.conversation.id));
  const began = performance.now();
  const failures = [];
  const visitors = await Promise.all(
    Array.from({ length: opts.visitors }, async (_, n) => {
      try {
        if (opts.mode !== "wschat") {
          const socket = await new Socket(opts.url, "/visitor", { agent: String(n % opts.agents) }).ready;
          noteAssigned(`cnv_${n}`);
          return { socket, conversation: `cnv_${n}` };
        }
        const { token } = await post(`/api/widget/${opts.tenant}/session`, { token: null });
        const socket = await new Socket(opts.url, "/visitor", { tenant: opts.tenant, token }).ready;
        const reply = await socket.call("chat.start", {});
        if (!reply.ok) throw new Error(`chat.start: ${JSON.stringify(reply.error)}`);
        const conversation = reply.conversation;
        if (conversation.status === "active") noteAssigned(conversation.id);
        return { socket, conversation: conversation.id };
      } catch (e) {
        failures.push(String(e.message || e));
        return null;
      }
    }),
  );
  const acked = performance.now();
  const timeout = sleep(30000).then(() => "timeout");
  const outcome = await Promise.race([everyone.then(() => "ok"), timeout]);
  return {
    visitors: visitors.filter(Boolean),
    report: {
      phase: "setup",
      visitors: opts.visitors,
      agents: opts.agents,
      failed: failures.length,
      first_failure: failures[0] ?? null,
      started_s: (acked - began) / 1000,
      assigned: assigned.size,
      assigned_s: outcome === "ok" ? (performance.now() - began) / 1000 : null,
    },
  };
}

/** Extra visitors with the widget open but no chat (most visitors never chat): the server's resident
 *  memory grown per socket, after the set-up has warmed every cache and pool. */
// Visitors arrive this many at a time in the memory phase. All 500 at once would measure the peak of that
// burst (500 widget-session requests and handshakes in flight; the heap keeps its high-water mark), not what
// an open socket holds: 28-34 KB against 7.5 KB per socket on wsChat's own socket layer (docs/benchmarks.md).
const ARRIVING_TOGETHER = 25;

function visitorOnSite(n) {
  if (opts.mode !== "wschat") return new Socket(opts.url, "/visitor", { agent: String(n % opts.agents) }).ready;
  return post(`/api/widget/${opts.tenant}/session`, { token: null }).then(
    ({ token }) => new Socket(opts.url, "/visitor", { tenant: opts.tenant, token }).ready,
  );
}

async function visitorsOnSite(count) {
  const before = serverRssKb();
  const sockets = [];
  for (let first = 0; first < count; first += ARRIVING_TOGETHER) {
    const group = Array.from({ length: Math.min(ARRIVING_TOGETHER, count - first) }, (_, i) => first + i);
    sockets.push(...(await Promise.all(group.map(visitorOnSite))));
  }
  await sleep(500);
  return { sockets, report: { phase: "memory", sockets: count, kb_per_socket: (serverRssKb() - before) / count } };
}

// -- load ---------------------------------------------------------------------------------------------------

let counter = 0;
const ackedIds = [];

function send(visitor, result) {
  const clientId = `b${opts.run}-${counter++}`;
  sentAt.set(clientId, performance.now());
  result.sent += 1;
  return visitor.socket
    .call("message.send", { conversation_id: visitor.conversation, client_id: clientId, text: `benchmark message ${counter}` })
    .then((reply) => {
      if (reply && reply.ok) {
        ackedIds.push(clientId);
        return clientId;
      }
      result.failed += 1;
      sentAt.delete(clientId);
      if (!result.first_error) result.first_error = reply && reply.error;
      return null;
    });
}

async function measured(phase, extra, body) {
  const result = { phase, ...extra, sent: 0, failed: 0, first_error: null };
  state.latencies = [];
  state.delivered = 0;
  const cpu0 = serverCpu();
  const began = performance.now();
  await body(result);
  const seconds = (performance.now() - began) / 1000;
  const cpu = killed ? NaN : serverCpu() - cpu0;
  const sorted = state.latencies.sort((a, b) => a - b);
  Object.assign(result, {
    seconds,
    delivered: state.delivered,
    lost: sentAt.size,
    deliveries_per_s: state.delivered / seconds,
    p50_ms: percentile(sorted, 0.5),
    p99_ms: percentile(sorted, 0.99),
    max_ms: sorted.length ? sorted[sorted.length - 1] : null,
    cpu_per_delivery_us: state.delivered && !killed ? (cpu / state.delivered) * 1e6 : null,
    server_cpu_share: killed ? null : cpu / seconds,
  });
  sentAt.clear();
  appendFileSync(opts.acked, ackedIds.splice(0).map((id) => `${id}\n`).join(""));
  return result;
}

async function drain(result, pending) {
  await Promise.all(pending);
  const deadline = performance.now() + 10000;
  while (!killed && state.delivered < result.sent - result.failed && performance.now() < deadline) await sleep(20);
}

async function openLoop(visitors, rate) {
  return measured("open", { rate }, async (result) => {
    const pending = [];
    const began = performance.now();
    let n = 0;
    const killAt = opts.kill_at_rate === rate ? (opts.seconds * 1000) / 2 : Infinity;
    while (performance.now() - began < opts.seconds * 1000) {
      if (performance.now() - began >= killAt) {
        process.kill(opts.pid, "SIGKILL");
        killed = result.killed = true;
        break;
      }
      const due = Math.floor(((performance.now() - began) / 1000) * rate) + 1;
      while (n < due) pending.push(send(visitors[n++ % visitors.length], result));
      await sleep(1);
    }
    await drain(result, pending);
  });
}

async function closedLoop(visitors) {
  return measured("closed", { window: visitors.length }, async (result) => {
    const began = performance.now();
    const running = () => performance.now() - began < opts.seconds * 1000;
    const waiting = new Map(); // client id → resolves when the agent got it
    state.onDelivered = (clientId) => {
      const resolve = waiting.get(clientId);
      waiting.delete(clientId);
      if (resolve) resolve();
    };
    const loop = async (visitor) => {
      while (running()) {
        const clientId = `b${opts.run}-${counter}`;
        const delivered = new Promise((resolve) => waiting.set(clientId, resolve));
        const ok = await send(visitor, result);
        if (ok === clientId) await Promise.race([delivered, sleep(10000)]);
        waiting.delete(clientId);
      }
    };
    await Promise.all(visitors.map(loop));
    state.onDelivered = null;
    await drain(result, []);
  });
}

// -- main ---------------------------------------------------------------------------------------------------

const agents = await connectAgents();
// Memory first, on a server that has freed nothing yet (later, new sockets would reuse freed memory and
// look cheaper than they are); a few visitors before it warm up the code paths and the database's caches.
const warmUp = opts.memory_sockets ? await visitorsOnSite(20) : { sockets: [] };
const onSite = opts.memory_sockets ? await visitorsOnSite(opts.memory_sockets) : { sockets: [] };
if (onSite.report) console.log(JSON.stringify(onSite.report));
const beforeSetup = serverRssKb();
const { visitors, report } = await startVisitors(agents);
report.kb_per_connection = (serverRssKb() - beforeSetup) / visitors.length;
console.log(JSON.stringify(report));
if (visitors.length) {
  for (const rate of opts.rates) if (!killed) console.log(JSON.stringify(await openLoop(visitors, rate)));
  if (opts.closed && !killed) console.log(JSON.stringify(await closedLoop(visitors)));
}
for (const socket of [...agents, ...visitors.map((v) => v.socket), ...warmUp.sockets, ...onSite.sockets]) socket.close();
process.exit(0);
