// The tool calls the client makes: valid and invalid arguments for every tool it knows,
// and for any tool it does not know, {} and an unknown argument.

/** The demo fake's seeded source (cmd/panther-s3-mcp/demo.go). */
export const DEMO_LABEL = 'demo cloudtrail';

const INVALID = ['invalid_arguments'];

/** The tools plan() knows; any other listed tool gets genericCalls. */
export const KNOWN_TOOLS = ['list_s3_sources', 'get_s3_source', 'create_s3_source', 'update_s3_source', 'delete_s3_source'];

function newSource(transport) {
  const suffix = Math.random().toString(36).slice(2, 8);
  return {
    integrationLabel: `sdk client ${transport} ${suffix}`,
    awsAccountId: '123456789012',
    s3Bucket: `sdk-client-${transport}-${suffix}`,
    logProcessingRole: 'arn:aws:iam::123456789012:role/PantherLogProcessingRole-sdk-client',
    logStreamType: 'JSON',
    managedBucketNotifications: false,
    s3PrefixLogTypes: [{ prefix: 'app/', logTypes: ['AWS.CloudTrail'] }],
  };
}

/**
 * Returns the planned calls, in order. Each is {tool, label, args(ctx), expect(ctx), after(sc, ctx)}:
 * args and expect may read what earlier calls stored in ctx (the demo source's id, the
 * created source's id); after stores it. ctx.transport names the transport.
 */
export function plan(ctx) {
  const src = newSource(ctx.transport);
  const id = () => ctx.demoId ?? 'demo-source-not-found';
  const created = () => ctx.createdId ?? 'created-source-not-found';
  return [
    {
      tool: 'list_s3_sources', label: 'all',
      args: () => ({}),
      expect: () => ({
        outcome: 'success',
        check: (sc) => (sc.sources?.some((s) => s.label === DEMO_LABEL) ? '' : `no source labelled "${DEMO_LABEL}" in the listing`),
      }),
      after: (sc) => { ctx.demoId = sc.sources?.find((s) => s.label === DEMO_LABEL)?.id; },
    },
    { tool: 'list_s3_sources', label: 'by label', args: () => ({ label: 'demo' }), expect: () => ({ outcome: 'success' }) },
    { tool: 'list_s3_sources', label: 'limit 0', args: () => ({ limit: 0 }), expect: () => ({ outcome: 'error', codes: INVALID }) },
    {
      tool: 'get_s3_source', label: 'demo source',
      args: () => ({ id: id() }),
      expect: () => ({
        outcome: 'success',
        check: (sc) => (sc.source?.integrationId === id() ? '' : `source.integrationId is not ${id()}`),
      }),
    },
    { tool: 'get_s3_source', label: '{}', args: () => ({}), expect: () => ({ outcome: 'error', codes: INVALID }) },
    { tool: 'get_s3_source', label: 'unknown id', args: () => ({ id: 'sdk-client-missing-0' }), expect: () => ({ outcome: 'error' }) },
    {
      tool: 'create_s3_source', label: 'valid',
      args: () => src,
      expect: () => ({
        outcome: 'success',
        check: (sc) => (sc.source?.integrationId ? '' : 'no source.integrationId in the result'),
      }),
      after: (sc) => { ctx.createdId = sc.source?.integrationId; },
    },
    {
      tool: 'create_s3_source', label: 'dashed account',
      args: () => ({ ...src, awsAccountId: '1234-5678-9012' }),
      expect: () => ({ outcome: 'error', codes: INVALID }),
    },
    {
      tool: 'update_s3_source', label: 'dryRun',
      args: () => ({ id: created(), integrationLabel: `${src.integrationLabel} u`, dryRun: true }),
      expect: () => ({ outcome: 'success', check: (sc) => (sc.dryRun === true ? '' : 'dryRun is not true in the result') }),
    },
    {
      tool: 'update_s3_source', label: 'for real',
      args: () => ({ id: created(), integrationLabel: `${src.integrationLabel} u` }),
      expect: () => ({
        outcome: 'success',
        check: (sc) => (sc.dryRun !== true && sc.source?.integrationLabel === `${src.integrationLabel} u` ? '' : 'the label did not change'),
      }),
    },
    {
      tool: 'update_s3_source', label: 'immutable bucket',
      args: () => ({ id: created(), s3Bucket: 'another-bucket' }),
      expect: () => ({ outcome: 'error', codes: INVALID }),
    },
    { tool: 'delete_s3_source', label: '{}', args: () => ({}), expect: () => ({ outcome: 'error', codes: INVALID }) },
    {
      tool: 'delete_s3_source', label: 'created source',
      args: () => ({ id: created() }),
      // Over stdio and stateful HTTP the server asks the user (the client accepts); over
      // stateless HTTP it cannot ask and may refuse with confirmation_unavailable.
      expect: () => (ctx.canElicit
        ? { outcome: 'success', check: (sc) => (sc.deleted === true ? '' : 'deleted is not true') }
        : { outcome: 'either', codes: ['confirmation_unavailable'] }),
      after: (sc) => { ctx.deleted = sc.deleted === true; },
    },
    {
      tool: 'get_s3_source', label: 'after delete',
      when: () => ctx.deleted,
      args: () => ({ id: created() }),
      expect: () => ({ outcome: 'error' }),
    },
  ];
}

/** Returns the calls for a tool the script does not know. */
export function genericCalls(tool) {
  const strict = tool.inputSchema?.additionalProperties === false;
  return [
    { tool: tool.name, label: '{} (generic)', generic: true, args: () => ({}), expect: () => ({ outcome: 'either' }) },
    {
      tool: tool.name, label: 'unknown argument (generic)', generic: true,
      args: () => ({ sdkClientUnknownArgument: true }),
      expect: () => (strict ? { outcome: 'error', codes: INVALID } : { outcome: 'either' }),
    },
  ];
}
