// Checks every tools/call result gets, on top of the SDK's own validation, and the
// transport tap that lets the client see (and, in self-test mode, corrupt) the raw
// messages the SDK receives.
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

const validators = new AjvJsonSchemaValidator();

/** Compiles a tool's output schema with the SDK's bundled AJV validator. */
export function compileOutputSchema(schema) {
  return validators.getValidator(schema);
}

/**
 * Checks one tools/call outcome and returns its failures, each {kind, reason}:
 *   sdk    — client.callTool threw (for example its own output-schema validation);
 *   schema — the script's own validation of structuredContent against the output schema;
 *   text   — the text content is empty, or a success's text does not carry its JSON;
 *   shape  — an error result lacks structuredContent.error {code, message};
 *   expect — the call did not end as planned (success/error, error code, a field).
 * raw is the result as it came over the wire; sdkError what callTool threw, if anything.
 */
export function checkResult({ raw, rpcError, sdkError, validate, expect }) {
  const failures = [];
  const fail = (kind, reason) => failures.push({ kind, reason });
  if (sdkError) {
    fail('sdk', `client.callTool rejected the result: ${sdkError.message ?? sdkError}`);
  }
  if (!raw) {
    fail('expect', `no result: ${rpcError ? JSON.stringify(rpcError) : 'nothing received'}`);
    return failures;
  }
  const isError = raw.isError === true;
  const sc = raw.structuredContent;
  const text = (raw.content ?? [])
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
  if (text.trim() === '') {
    fail('text', 'the text content is empty');
  }
  if (sc === undefined || sc === null || typeof sc !== 'object' || Array.isArray(sc)) {
    // The SDK validates structuredContent only when present: a result without it
    // would go unvalidated, so the server must always send it.
    fail('schema', `${isError ? 'error' : 'success'} result without structuredContent: nothing to validate`);
  } else {
    if (validate) {
      const v = validate(sc);
      if (!v.valid) {
        fail('schema', `structuredContent does not match the output schema: ${v.errorMessage}`);
      }
    }
    if (!isError && text.trim() !== '' && !textCarries(text, sc)) {
      fail('text', 'the text does not carry the structuredContent as JSON');
    }
    if (isError) {
      const e = sc.error;
      if (!e || typeof e.code !== 'string' || typeof e.message !== 'string') {
        fail('shape', `error result without structuredContent.error {code, message}: ${clip(JSON.stringify(sc))}`);
      } else if (!text.includes(e.message)) {
        fail('shape', 'the error text does not include structuredContent.error.message');
      }
    }
  }
  const outcome = isError ? 'error' : 'success';
  const code = isError ? sc?.error?.code : undefined;
  if (expect.outcome !== 'either' && expect.outcome !== outcome) {
    fail('expect', `expected ${expect.outcome}, got ${outcome}${code ? ` (${code})` : ''}: ${clip(firstLine(text))}`);
  } else if (isError && expect.codes && !expect.codes.includes(code)) {
    fail('expect', `expected error code ${expect.codes.join(' or ')}, got ${code}: ${clip(firstLine(text))}`);
  } else if (!isError && expect.check && sc) {
    const reason = expect.check(sc);
    if (reason) {
      fail('expect', reason);
    }
  }
  return failures;
}

/** Reports whether some line of text starts a JSON document equal to sc. */
function textCarries(text, sc) {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const tail = lines.slice(i).join('\n').trim();
    if (!tail.startsWith('{')) {
      continue;
    }
    try {
      if (deepEqual(JSON.parse(tail), sc)) {
        return true;
      }
    } catch {
      // not JSON from here on; try an earlier line
    }
  }
  return false;
}

function deepEqual(a, b) {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}

export function firstLine(s) {
  return String(s ?? '').split('\n')[0];
}

export function clip(s, n = 200) {
  s = String(s ?? '');
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/**
 * Tap wraps an SDK transport: it records the raw tools/list and tools/call responses
 * as the SDK receives them, before it parses them, and lets a self-test corrupt them
 * first (tamper(method, message) returns the message the SDK gets).
 */
export class Tap {
  constructor(inner, tamper) {
    this.inner = inner;
    this.tamper = tamper;
    this.methods = new Map(); // request id → method
    this.responses = new Map(); // request id → raw response, as the SDK got it
    this.originals = new Map(); // request id → raw response, as the server sent it
    this.lastId = new Map(); // method → last request id
  }

  async start() {
    this.inner.onclose = () => this.onclose?.();
    this.inner.onerror = (e) => this.onerror?.(e);
    this.inner.onmessage = (message, extra) => {
      if (message && message.id !== undefined && !message.method && this.methods.has(message.id)) {
        const method = this.methods.get(message.id);
        this.methods.delete(message.id);
        if (method === 'tools/call' || method === 'tools/list') {
          this.originals.set(message.id, structuredClone(message));
          if (this.tamper && message.result) {
            message = this.tamper(method, structuredClone(message));
          }
          this.responses.set(message.id, structuredClone(message));
        }
      }
      this.onmessage?.(message, extra);
    };
    return this.inner.start();
  }

  async send(message, options) {
    if (message.method && message.id !== undefined) {
      this.methods.set(message.id, message.method);
      this.lastId.set(message.method, message.id);
    }
    return this.inner.send(message, options);
  }

  /**
   * The raw response to the last request of method: as the SDK received it and, when a
   * self-test corrupted it, as the server sent it.
   */
  lastResponse(method) {
    const id = this.lastId.get(method);
    const received = this.responses.get(id);
    const original = this.originals.get(id);
    this.responses.delete(id);
    this.originals.delete(id);
    return { received, original };
  }

  async close() {
    return this.inner.close();
  }

  get sessionId() {
    return this.inner.sessionId;
  }

  /** Called by the SDK with the protocol version it negotiated. */
  setProtocolVersion(v) {
    this.protocolVersion = v;
    this.inner.setProtocolVersion?.(v);
  }
}
