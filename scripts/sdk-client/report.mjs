// The summary the client prints, and the corrupted views of the server its self-test uses.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The version of @modelcontextprotocol/sdk that was loaded. */
export function sdkVersion() {
  // .../@modelcontextprotocol/sdk/dist/esm/client/index.js → .../@modelcontextprotocol/sdk/package.json
  const entry = fileURLToPath(import.meta.resolve('@modelcontextprotocol/sdk/client/index.js'));
  const pkg = entry.replace(/dist[/\\]esm[/\\]client[/\\]index\.js$/, 'package.json');
  return JSON.parse(readFileSync(pkg, 'utf8')).version;
}

/**
 * The self-test's corrupted views of the server: tamper(method, message) returns the
 * response the SDK gets instead of message, and caughtBy names the failure kinds every
 * call must then show.
 */
export const TAMPERS = {
  // Every output schema requires a field no result has: the SDK's callTool and the
  // script's own validation must both reject every success and every error.
  schema: {
    caughtBy: ['sdk', 'schema'],
    tamper(method, message) {
      if (method === 'tools/list') {
        for (const t of message.result.tools ?? []) {
          if (t.outputSchema) {
            t.outputSchema.required = [...(t.outputSchema.required ?? []), 'selfTestMissingField'];
          }
        }
      }
      return message;
    },
  },
  // No result carries structuredContent: the SDK rejects the successes, lets the errors
  // through unvalidated, and the script must catch every call.
  structured: {
    caughtBy: ['schema'],
    tamper(method, message) {
      if (method === 'tools/call') {
        delete message.result.structuredContent;
      }
      return message;
    },
  },
  // Successes lose the JSON after their summary line and errors lose their text: the
  // text check must catch every call.
  text: {
    caughtBy: ['text'],
    tamper(method, message) {
      if (method === 'tools/call') {
        for (const c of message.result.content ?? []) {
          if (c.type === 'text') {
            c.text = message.result.isError ? '' : c.text.split('\n')[0];
          }
        }
      }
      return message;
    },
  },
};

/** Prints the per-tool sizes and the summary table; returns whether everything passed. */
export function printSummary(reports, budget) {
  let ok = true;
  for (const r of reports) {
    console.log(`\n${r.transport}: tools/list (protocol ${r.protocolVersion ?? '?'})`);
    for (const t of r.tools) {
      console.log(`  ${t.name.padEnd(24)} ${String(t.bytes).padStart(6)} B  ~${Math.ceil(t.bytes / 4)} tokens`);
    }
    console.log(`  ${'total'.padEnd(24)} ${String(r.totalBytes).padStart(6)} B  ~${Math.ceil(r.totalBytes / 4)} tokens (budget ${budget} B)`);
    const failed = r.calls.filter((c) => c.failures.length);
    for (const c of failed) {
      console.log(`  FAIL ${c.tool} ${c.label}: ${c.failures.map((f) => `${f.kind}: ${f.reason}`).join('; ')}`);
    }
    for (const p of r.problems) {
      console.log(`  FAIL ${p}`);
    }
    if (failed.length || r.problems.length) {
      ok = false;
      console.log(`  server stderr (last lines):\n${r.stderr.split('\n').slice(-30).join('\n')}`);
    }
  }
  const header = ['transport', 'tools', 'list B', 'calls', 'success', 'error', 'generic', 'failed', 'asked', 'delete', 'time'];
  const rows = reports.map((r) => {
    const d = r.deleteOutcome;
    return [
      r.transport,
      r.tools.length,
      r.totalBytes,
      r.calls.length,
      r.calls.filter((c) => c.outcome === 'success').length,
      r.calls.filter((c) => c.outcome === 'error').length,
      r.calls.filter((c) => c.generic).length,
      r.calls.filter((c) => c.failures.length).length + r.problems.length,
      r.elicitations,
      d ? `${d.outcome}${d.code ? ` (${d.code})` : ''}` : '-',
      `${(r.ms / 1000).toFixed(1)}s`,
    ].map(String);
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(`\n${line(header)}`);
  for (const row of rows) {
    console.log(line(row));
  }
  const calls = reports.reduce((n, r) => n + r.calls.length, 0);
  const failedCalls = reports.reduce((n, r) => n + r.calls.filter((c) => c.failures.length).length, 0);
  const problems = reports.reduce((n, r) => n + r.problems.length, 0);
  console.log(`@modelcontextprotocol/sdk ${sdkVersion()}; ${calls} tool calls in ${(reports.reduce((n, r) => n + r.ms, 0) / 1000).toFixed(1)}s`);
  // The closing line: every call and every other problem (budget, listing, transport) counts.
  console.log(`sdk-client: ${calls - failedCalls} passed, ${failedCalls + problems} failed`);
  return ok && calls > 0;
}
