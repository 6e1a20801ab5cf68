// Drives the built server with the official MCP TypeScript SDK client
// (@modelcontextprotocol/sdk, pinned in package.json) in demo mode, over stdio and over
// streamable HTTP on 127.0.0.1 (stateless, the default, and --stateful), and checks what
// an agent platform sees:
//   - tools/list: each tool's JSON size and the whole list's, which must stay within the
//     budget (12,288 bytes); every tool must have an output schema;
//   - every tool called with valid and invalid arguments (tools the script does not know
//     with {} and an unknown argument), and every result validated;
//   - delete_s3_source asks the user through elicitation (the client declares it and
//     accepts) over stdio and stateful HTTP; over stateless HTTP it may instead refuse
//     with confirmation_unavailable, a result validated like any other.
//
// Who validates what:
//   - The SDK: client.callTool (SDK 1.32.2, Client.callTool in dist/esm/client/index.js)
//     validates structuredContent against the tool's outputSchema whenever structuredContent
//     is present, for success and isError results alike, and throws when it does not
//     match; it skips results without structuredContent, and it rejects a success that
//     lacks structuredContent.
//   - This script, on the result as the SDK received it: structuredContent is present on
//     every result, errors included (so none escapes the SDK's check); it matches the
//     output schema again, with the SDK's bundled AJV validator, so the guarantee does not
//     rest on one SDK version's behaviour; the text is not empty; a success's text carries
//     its structuredContent as JSON; an error has structuredContent.error {code, message}
//     and says the message; the call ended as planned (success or error, error code).
//
// --self-test runs the stdio pass against corrupted views of the server (report.mjs,
// TAMPERS: output schemas that require a field no result has; results without
// structuredContent; texts stripped of their JSON) and fails unless every call is caught
// by the checks named for that view.
//
// Usage: node client.mjs --server bin/panther-s3-mcp [--transport stdio|http|stateful|all] [--self-test]
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { KNOWN_TOOLS, genericCalls, plan } from './calls.mjs';
import { Tap, checkResult, clip, compileOutputSchema } from './checks.mjs';
import { TAMPERS, printSummary, sdkVersion } from './report.mjs';

const BUDGET_BYTES = 12288;
const CALL_TIMEOUT_MS = 15_000;
const RUN_TIMEOUT_MS = 120_000;
// stdio; streamable HTTP as served by default (stateless); and with --stateful sessions.
const TRANSPORTS = ['stdio', 'http', 'stateful'];

const { values: opts } = parseArgs({
  options: {
    server: { type: 'string' },
    transport: { type: 'string', default: 'all' },
    'self-test': { type: 'boolean', default: false },
  },
});
if (!opts.server) {
  console.error('sdk-client: --server PATH (the built panther-s3-mcp) is required');
  process.exit(2);
}
// A fresh environment for the server: no Panther settings of the caller's.
const serverEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };

/** Runs every check over one transport and returns its report. */
async function runTransport(kind, { tamper, quiet = false } = {}) {
  const started = Date.now();
  const report = { transport: kind, tools: [], totalBytes: 0, calls: [], problems: [], elicitations: 0, stderr: '' };
  // stdio and stateful HTTP carry the server's elicitation request; stateless HTTP cannot.
  const ctx = { transport: kind, canElicit: kind !== 'http', elicitations: 0 };
  let server;
  let client;
  try {
    let transport;
    if (kind === 'stdio') {
      transport = new StdioClientTransport({ command: opts.server, args: ['--demo'], env: serverEnv, stderr: 'pipe' });
      transport.stderr?.on('data', (b) => { report.stderr = (report.stderr + b).slice(-16384); });
    } else {
      server = await startHTTPServer(report, kind === 'stateful' ? ['--stateful'] : []);
      transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${server.port}/mcp`));
    }
    const tap = new Tap(transport, tamper);
    client = new Client({ name: 'panther-s3-mcp-sdk-client', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, async () => {
      ctx.elicitations++;
      return { action: 'accept', content: { confirm: true } };
    });
    await client.connect(tap, { timeout: CALL_TIMEOUT_MS });
    report.protocolVersion = tap.protocolVersion;

    const listed = await client.listTools(undefined, { timeout: CALL_TIMEOUT_MS });
    const rawList = tap.lastResponse('tools/list').received?.result;
    if (rawList?.nextCursor) {
      report.problems.push('tools/list is paginated: the budget covers the whole list and this client reads one page');
    }
    for (const t of rawList?.tools ?? []) {
      report.tools.push({ name: t.name, bytes: Buffer.byteLength(JSON.stringify(t)) });
    }
    report.totalBytes = Buffer.byteLength(JSON.stringify(rawList?.tools ?? []));
    if (report.totalBytes > BUDGET_BYTES) {
      report.problems.push(`tools/list is ${report.totalBytes} bytes, over the ${BUDGET_BYTES}-byte budget`);
    }
    const byName = new Map(listed.tools.map((t) => [t.name, t]));
    const validators = new Map();
    for (const t of listed.tools) {
      if (!t.outputSchema) {
        report.problems.push(`${t.name} has no output schema: its results cannot be validated`);
      } else {
        validators.set(t.name, compileOutputSchema(t.outputSchema));
      }
    }
    for (const name of KNOWN_TOOLS) {
      if (!byName.has(name)) {
        report.problems.push(`${name} is not listed: the demo server should expose it (update calls.mjs if it was renamed)`);
      }
    }
    const calls = plan(ctx).filter((c) => byName.has(c.tool));
    for (const t of listed.tools.filter((t) => !KNOWN_TOOLS.includes(t.name))) {
      console.log(`  ${kind}: ${t.name} is not known to this script: calling it with {} and with an unknown argument`);
      calls.push(...genericCalls(t));
    }

    for (const call of calls) {
      if (call.when && !call.when()) {
        continue;
      }
      const args = call.args();
      let sdkError;
      try {
        await client.callTool({ name: call.tool, arguments: args }, undefined, { timeout: CALL_TIMEOUT_MS });
      } catch (e) {
        sdkError = e;
      }
      const { received: msg, original } = tap.lastResponse('tools/call');
      const raw = msg?.result;
      const failures = checkResult({
        raw, rpcError: msg?.error, sdkError, validate: validators.get(call.tool), expect: call.expect(),
      });
      const sc = raw?.structuredContent;
      // Later calls use what this one returned (a self-test's corruption aside).
      const sent = original?.result;
      if (sent && !sent.isError && sent.structuredContent) {
        call.after?.(sent.structuredContent);
      }
      const outcome = !raw ? 'none' : raw.isError ? 'error' : 'success';
      const code = raw?.isError ? sc?.error?.code : undefined;
      report.calls.push({ tool: call.tool, label: call.label, generic: !!call.generic, outcome, code, failures });
      if (quiet) {
        continue;
      }
      const status = failures.length ? 'FAIL' : 'ok  ';
      console.log(`  ${status} ${kind.padEnd(8)} ${call.tool.padEnd(18)} ${call.label.padEnd(26)} ${outcome}${code ? ` (${code})` : ''}`);
      for (const f of failures) {
        console.log(`       ${f.kind}: ${clip(f.reason, 400)}`);
      }
    }
    report.elicitations = ctx.elicitations;
    report.deleteOutcome = report.calls.find((c) => c.tool === 'delete_s3_source' && c.label === 'created source');
    if (ctx.canElicit && report.deleteOutcome?.outcome === 'success' && ctx.elicitations === 0) {
      report.problems.push(`delete_s3_source succeeded over ${kind} without asking the user (the client declared elicitation)`);
    }
  } catch (e) {
    report.problems.push(`${kind}: ${e?.message ?? e}`);
  } finally {
    await client?.close().catch(() => {});
    if (server) {
      await stopHTTPServer(server);
    }
    report.ms = Date.now() - started;
  }
  return report;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts the server over streamable HTTP on a free loopback port and waits for /healthz. */
async function startHTTPServer(report, extraArgs) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const child = spawn(opts.server, ['--transport', 'http', '--demo', '--addr', `127.0.0.1:${port}`, ...extraArgs], {
      env: serverEnv, stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (b) => { report.stderr = (report.stderr + b).slice(-16384); });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    let gone;
    exited.then((how) => { gone = how; });
    const deadline = Date.now() + 10_000;
    while (!gone && Date.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) {
          return { child, port, exited };
        }
      } catch {
        // not listening yet
      }
      await delay(100); // poll interval; the loop is bounded by the deadline and the exit
    }
    if (!gone) {
      await stopHTTPServer({ child, exited });
      throw new Error(`the HTTP server on 127.0.0.1:${port} was not healthy within 10 s`);
    }
    console.log(`  http: the server exited (${gone.signal ?? `code ${gone.code}`}) before it was healthy (attempt ${attempt}; port ${port} may have been taken)`);
  }
  throw new Error('the HTTP server did not start in 3 attempts');
}

async function stopHTTPServer({ child, exited }) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  child.kill('SIGTERM');
  const timer = new AbortController();
  const t = delay(10_000, 'timeout', { signal: timer.signal }).catch(() => 'cancelled');
  const first = await Promise.race([exited, t]);
  timer.abort();
  if (first === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

async function main() {
  const watchdog = setTimeout(() => {
    console.error(`sdk-client: FAIL: the run did not finish within ${RUN_TIMEOUT_MS / 1000} s`);
    process.exit(1);
  }, RUN_TIMEOUT_MS);
  watchdog.unref();
  console.log(`@modelcontextprotocol/sdk ${sdkVersion()} against ${opts.server}`);
  if (opts['self-test']) {
    process.exitCode = await selfTest();
    return;
  }
  const kinds = opts.transport === 'all' ? TRANSPORTS : [opts.transport];
  const reports = [];
  for (const kind of kinds) {
    if (!TRANSPORTS.includes(kind)) {
      console.error(`sdk-client: unknown transport ${kind}: use ${TRANSPORTS.join(', ')} or all`);
      process.exitCode = 2;
      return;
    }
    reports.push(await runTransport(kind));
  }
  process.exitCode = printSummary(reports, BUDGET_BYTES) ? 0 : 1;
}

/** Runs the stdio pass against each corrupted view and returns the exit code. */
async function selfTest() {
  let ok = true;
  for (const [name, { tamper, caughtBy }] of Object.entries(TAMPERS)) {
    const report = await runTransport('stdio', { tamper, quiet: true });
    const missed = report.calls.filter((c) => !caughtBy.every((kind) => c.failures.some((f) => f.kind === kind)));
    const caught = report.calls.length - missed.length;
    const good = report.calls.length > 0 && missed.length === 0;
    console.log(`self-test ${name}: ${caught}/${report.calls.length} calls caught by ${caughtBy.join(' and ')} in ${(report.ms / 1000).toFixed(1)}s${good ? '' : ' — FAIL'}`);
    for (const c of missed) {
      console.log(`  missed: ${c.tool} ${c.label} (${c.outcome}): ${c.failures.map((f) => f.kind).join(', ') || 'no failure'}`);
    }
    if (report.calls.length === 0) {
      console.log(`  no call was made: ${report.problems.join('; ')}`);
      console.log(report.stderr);
    }
    ok &&= good;
  }
  console.log(ok ? 'self-test: every corrupted result was caught' : 'self-test: FAIL: some corrupted results went unnoticed');
  return ok ? 0 : 1;
}

await main();
