/**
 * `npm start`: the whole desk on this machine. Prints what runs where, stops everything on
 * Ctrl-C or SIGTERM, and turns start-up failures into one line instead of a stack trace.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR, DEFAULT_POLICY, type Runtime, StartError, startRuntime } from './runtime';

const HELP = `Usage: npm start -- [options]

Runs tierdesk locally: DynamoDB Local (needs Java 17+), Step Functions, an SES emulator, S3, an
SMTP listener for inbound mail and the HTTP API on loopback.

Options:
  --port <n>              HTTP port (default: env PORT or 3000)
  --smtp-port <n>         SMTP port for inbound mail (default: env TIERDESK_SMTP_PORT or 2525)
  --oidc-port <n>         port of the local OpenID Connect provider (default: env TIERDESK_OIDC_PORT or 3001)
  --data-dir <dir>        where data is kept across restarts (default: ${DEFAULT_DATA_DIR}/)
  --in-memory             keep nothing; every start is empty
  --policy <preset|file>  support policy (default: env TIERDESK_POLICY or ${DEFAULT_POLICY})
  --help                  show this help

Environment:
  TIERDESK_ADMIN_KEY      use this admin API key instead of the generated one
  TIERDESK_CONSOLE_ORIGIN the one browser origin allowed to call the API (CORS; default the API's own)
  TIERDESK_OIDC_ISSUER    sign in with this OpenID Connect issuer instead of the local provider, with
  TIERDESK_OIDC_AUDIENCE  its app client id and optionally TIERDESK_OIDC_JWKS_URI (docs/sign-in.md)
`;

function fail(message: string): never {
  console.error(`tierdesk: ${message}`);
  process.exit(1);
}

function parseOptions() {
  try {
    const { values } = parseArgs({
      options: {
        port: { type: 'string' },
        'smtp-port': { type: 'string' },
        'oidc-port': { type: 'string' },
        'data-dir': { type: 'string' },
        'in-memory': { type: 'boolean' },
        policy: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    return values;
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${HELP}`);
  }
}

// The SDK's notice that releases after January 2027 need Node 22 says nothing about running
// tierdesk locally, and would push the banner off screen. Set it to "false" to see it again.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const values = parseOptions();
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const portText = values.port ?? process.env.PORT ?? '3000';
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid port "${portText}"`);
const smtpPortText = values['smtp-port'] ?? process.env.TIERDESK_SMTP_PORT ?? '2525';
const smtpPort = Number(smtpPortText);
if (!Number.isInteger(smtpPort) || smtpPort < 0 || smtpPort > 65535) fail(`invalid SMTP port "${smtpPortText}"`);
const oidcPortText = values['oidc-port'] ?? process.env.TIERDESK_OIDC_PORT ?? '3001';
const oidcPort = Number(oidcPortText);
if (!Number.isInteger(oidcPort) || oidcPort < 0 || oidcPort > 65535) fail(`invalid sign-in port "${oidcPortText}"`);
if (values['in-memory'] && values['data-dir']) fail('--in-memory and --data-dir exclude each other');

let runtime: Runtime | undefined;
let stopping = false;

async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\ntierdesk: ${reason}, stopping…`);
  await runtime?.stop();
  process.exit(0);
}

// Registered before start-up, so a Ctrl-C during the JVM's start also cleans up.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1); // a second Ctrl-C: the exit hook still kills the JVM
    if (!runtime) {
      stopping = true;
      process.exit(0); // still starting: the exit hook in local/dynamodb.ts kills the JVM
    }
    void shutdown(`${signal} received`);
  });
}

try {
  const started = Date.now();
  runtime = await startRuntime({
    port,
    smtpPort,
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    inMemory: values['in-memory'] ?? false,
    policy: values.policy ?? process.env.TIERDESK_POLICY ?? DEFAULT_POLICY,
    ...(process.env.TIERDESK_CONSOLE_ORIGIN ? { consoleOrigin: process.env.TIERDESK_CONSOLE_ORIGIN } : {}),
    signIn: process.env.TIERDESK_OIDC_ISSUER
      ? { issuer: process.env.TIERDESK_OIDC_ISSUER, audience: process.env.TIERDESK_OIDC_AUDIENCE ?? '', ...(process.env.TIERDESK_OIDC_JWKS_URI ? { jwksUri: process.env.TIERDESK_OIDC_JWKS_URI } : {}) }
      : { port: oidcPort },
  });
  printBanner(runtime, Date.now() - started);
} catch (error) {
  if (error instanceof StartError) {
    const hint = /^port \d+ on /.test(error.message)
      ? ' (choose another with --port <n> or PORT=<n>)'
      : /^SMTP port /.test(error.message)
        ? ' (choose another with --smtp-port <n> or TIERDESK_SMTP_PORT=<n>)'
        : /^sign-in port /.test(error.message)
          ? ' (choose another with --oidc-port <n> or TIERDESK_OIDC_PORT=<n>)'
          : '';
    fail(error.message + hint);
  }
  // Anything else is a bug (in a handler module, say): the stack is the useful part.
  console.error('tierdesk: could not start:', error);
  process.exit(1);
}

// DynamoDB Local dying on its own leaves the API without storage: say so and stop. The
// terminal's Ctrl-C reaches the JVM too (same process group), so an exit by SIGINT/SIGTERM
// (status 130/143) is the ordinary shutdown racing our own handler.
void runtime.dynamodbExited.then(({ code, signal }) => {
  if (stopping) return;
  if (code === 130 || code === 143 || signal === 'SIGINT' || signal === 'SIGTERM') return void shutdown('interrupted');
  console.error(`tierdesk: DynamoDB Local exited unexpectedly (${signal ?? `status ${code}`}), stopping`);
  void runtime!.stop().finally(() => process.exit(1));
});

function printBanner(rt: Runtime, ms: number): void {
  const shown = rt.dataDir && (relative(process.cwd(), rt.dataDir).startsWith('..') ? rt.dataDir : relative(process.cwd(), rt.dataDir) || '.');
  const data = shown ? `${shown}/ (kept across restarts)` : 'in memory (nothing is kept)';
  const lines = [
    '',
    `tierdesk is running (started in ${(ms / 1000).toFixed(1)} s)`,
    '',
    `  API             ${rt.url}`,
    `  health          GET ${rt.url}/health`,
    `  OpenAPI         GET ${rt.url}/openapi.json`,
    `  console         ${rt.consoleUrl}  (the agent console; sign in as a user below)`,
    `  DynamoDB Local  ${rt.dynamodbEndpoint}  (table ${rt.tableName}, pid ${rt.dynamodbPid})`,
    `  Step Functions  ${rt.stepFunctionsUrl}  (ticket lifecycle; executions in memory, re-driven at start)`,
    `  executions      GET ${rt.stepFunctionsUrl}/executions  ·  GET ${rt.stepFunctionsUrl}/executions/<ticket id>`,
    `  mail (SES)      ${rt.sesUrl}  (every mail sent, in the browser; nothing leaves this machine)`,
    `  inbound mail    smtp://${new URL(rt.url).hostname}:${rt.smtpPort}  (any address; each mail becomes a ticket or a reply)`,
    `  S3              ${rt.s3Url}  (bucket ${rt.mailBucket}: raw inbound mail and attachments)`,
    `  webhooks        POST ${rt.url}/webhooks/<integration id>  (secrets in ${rt.webhookSecretsFile})`,
    `  data            ${data}`,
    `  policy          ${rt.policy}`,
    `  admin key       ${rt.adminKey}`,
    `  sign-in         ${rt.oidc ? `${rt.oidc.issuer}  (local OpenID Connect provider, client ${rt.oidc.clientId}; users below)` : `${process.env.TIERDESK_OIDC_ISSUER}  (audience ${process.env.TIERDESK_OIDC_AUDIENCE})`}`,
    `  CORS            ${rt.consoleOrigin}  (the one browser origin allowed; TIERDESK_CONSOLE_ORIGIN)`,
    ...(rt.demoLines.length ? ['', ...rt.demoLines.map((line) => `  ${line}`)] : []),
    '',
    '  Try:',
    `    curl -s -H "Authorization: Bearer ${rt.adminKey}" "${rt.url}/tickets"`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));
}
