/**
 * The artifacts CDK deploys, run for real: synthesize the stack, take the API function's esbuild
 * bundle (with the validated policy as policy.json and the policy's holiday data beside it) and
 * serve it from the local runtime against DynamoDB Local. Proves the bundle loads, finds its
 * policy.json (no YAML parser in the bundle) and its holidays.json (not date-holidays: that stays
 * out of the bundle) and talks to the table.
 *
 * The inbound-email function's bundle (`ingest.mjs`) is what the runtime's SMTP listener calls:
 * it is built with an esbuild alias no other test runs (zod without locales, lib/functions.ts) and
 * decodes legacy charsets with the runtime's TextDecoder (core/mail/windows-1252.ts mends the one
 * Node.js gets wrong), so mail in legacy charsets is sent through it over SMTP and read back,
 * decoded, through the bundled API.
 */

import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, resolve } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildSync } from 'esbuild';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../functions/api/openapi';
import { TierdeskStack } from '../lib/tierdesk-stack';
import { appAsDeployed } from './support/app';
import { eventually } from './support/eventually';
import { fakeConsoleDist } from './support/fake-console';
import { ticketsWithSubject, timeline } from './support/inbound-mail';
import { api, type Runtime, startTestRuntime } from './support/runtime';

// Inside the repository, so the bundle resolves the AWS SDK the Lambda runtime provides from node_modules.
const outdir = resolve(`cdk.out/bundle-test-${process.pid}`);
const DESK = 'support@caret.example';
let runtime: Runtime;
/** The API function's asset folder (index.mjs) and the Ingest function's (ingest.mjs). */
let asset: string;
let ingestAsset: string;
let smtp: ReturnType<typeof nodemailer.createTransport>;
const holidaysEnv = process.env.TIERDESK_HOLIDAYS;

/** The one asset folder of the synth that holds this bundle file. */
function assetWith(file: string): string {
  const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.') && existsSync(join(outdir, name, file)));
  expect(assets, file).toHaveLength(1);
  return join(outdir, assets[0]!);
}

beforeAll(async () => {
  const app = appAsDeployed({ outdir });
  // The console's files are not what this test runs: a small fake stands in for console/dist.
  new TierdeskStack(app, 'BundleTest', { policy: 'caret', inboundRecipients: [DESK], consoleAssets: fakeConsoleDist() });
  app.synth();
  asset = assetWith('index.mjs');
  ingestAsset = assetWith('ingest.mjs');
  for (const folder of [asset, ingestAsset]) {
    expect(existsSync(join(folder, 'policy.json'))).toBe(true);
    expect(existsSync(join(folder, 'holidays.json'))).toBe(true);
  }
  // As in Lambda (the function's TIERDESK_HOLIDAYS): the bundle reads its holidays from the file.
  process.env.TIERDESK_HOLIDAYS = join(asset, 'holidays.json');
  runtime = await startTestRuntime({
    policy: join(asset, 'policy.json'),
    routes: [{ prefix: '/', module: join(asset, 'index.mjs') }],
    ingestModule: join(ingestAsset, 'ingest.mjs'),
  });
  smtp = nodemailer.createTransport({ host: '127.0.0.1', port: runtime.smtpPort, secure: false, ignoreTLS: true });
}, 120_000);

afterAll(async () => {
  smtp?.close();
  await runtime?.stop();
  if (holidaysEnv === undefined) delete process.env.TIERDESK_HOLIDAYS;
  else process.env.TIERDESK_HOLIDAYS = holidaysEnv;
  rmSync(outdir, { recursive: true, force: true });
});

describe('the bundles of functions that need no policy', () => {
  it.each(['start.mjs', 'park.mjs', 'feedback.mjs'])('%s carries neither the policy nor the calendars, so its cold start loads neither', (file) => {
    const bundle = readFileSync(join(assetWith(file), file), 'utf8');

    expect(bundle).not.toContain('Invalid DateTime'); // luxon, the calendars' time library
    expect(bundle).not.toContain('calendars'); // the policy's schema, or any reading of a policy
    expect(bundle.length).toBeLessThan(300 * 1024);
  });
});

describe('the bundles of functions that act on the policy', () => {
  /** A description in the policy's schema: in a bundle only if the schema is. */
  const POLICY_SCHEMA_TEXT = 'Which kinds of date-holidays entries close the calendar.';

  it.each(['index.mjs', 'step.mjs', 'period-step.mjs', 'reconcile.mjs', 'webhooks.mjs', 'ingest.mjs'])(
    '%s reads policy.json as the validated policy: no policy schema is built at its cold start',
    (file) => {
      const bundle = readFileSync(join(assetWith(file), file), 'utf8');

      expect(bundle).not.toContain(POLICY_SCHEMA_TEXT);
    },
  );

  /** The whole zod's string schema, by its constructor name (zod/mini's is "ZodMiniString", zod's core's "$ZodString"). */
  const WHOLE_ZOD = '"ZodString"';

  it.each([
    { file: 'reconcile.mjs', within: 200, zod: 'none' },
    // The mail is read within hand-checked bounds (core/mail/parse.ts); customers and staff are looked up without their schemas.
    { file: 'ingest.mjs', within: 500, zod: 'none' },
    // Each checks its state's input with zod's mini build, and nothing else with zod.
    { file: 'step.mjs', within: 400, zod: 'mini' },
    { file: 'period-step.mjs', within: 400, zod: 'mini' },
    // A delivery's mapped fields and a chat transcript are checked with mini, its refusals worded in English (core/zod-english.ts).
    { file: 'webhooks.mjs', within: 400, zod: 'mini in English' },
    // Requests are checked, and the OpenAPI document made, with mini; a 400 names the field in English.
    { file: 'index.mjs', within: 500, zod: 'mini in English' },
    // An SES notification is checked with mini; a malformed one is logged with its reason in English.
    { file: 'feedback.mjs', within: 200, zod: 'mini in English' },
    { file: 'park.mjs', within: 200, zod: 'mini' },
  ])('$file carries no zod but $zod (under $within KB)', ({ file, within, zod }) => {
    const bundle = readFileSync(join(assetWith(file), file), 'utf8');

    expect(bundle).not.toContain(WHOLE_ZOD);
    if (zod === 'none') expect(bundle).not.toContain('Invalid input'); // any zod's
    if (zod === 'mini in English') expect(bundle).toContain('Invalid input: expected'); // zod's English messages
    expect(bundle.length).toBeLessThan(within * 1024);
  });

  it('the markers are what they stand for: a bundle of the policy validation carries the schema and the whole zod', () => {
    const [validation] = buildSync({ entryPoints: ['core/policy/validate.ts'], bundle: true, minify: true, platform: 'node', format: 'esm', write: false, logLevel: 'error' }).outputFiles;

    expect(validation?.text).toContain(POLICY_SCHEMA_TEXT);
    // The policy's schema is written with the whole zod (it runs at synth and in the CLI, never in a function).
    expect(validation?.text).toContain(WHOLE_ZOD);
  });
});

describe('the deployed API bundle', () => {
  it("carries the holiday data of the policy's regions only, and not date-holidays", () => {
    const table = JSON.parse(readFileSync(join(asset, 'holidays.json'), 'utf8'));
    const bundle = readFileSync(join(asset, 'index.mjs'), 'utf8');

    // caret's calendars close on US public holidays only (country US, no state).
    expect(Object.keys(table.regions)).toEqual(['US']);
    expect(table.regions.US['2026'].public).toEqual(expect.arrayContaining(['2026-01-01', '2026-11-26', '2026-12-25']));
    expect(bundle).not.toContain('Andorra'); // date-holidays' data names every country
    expect(bundle.length).toBeLessThan(1_000_000);
  });

  it('carries the policy as JSON and no YAML parser', () => {
    const bundle = readFileSync(join(asset, 'index.mjs'), 'utf8');

    expect(JSON.parse(readFileSync(join(asset, 'policy.json'), 'utf8'))).toMatchObject({ id: 'caret', caseNumberPrefix: 'CARET' });
    expect(bundle).not.toContain('tag:yaml.org,2002'); // every YAML tag the yaml package knows is named so
  });

  it('opens a ticket and reads it back', async () => {
    const request = api(runtime);

    const created = await request('POST', '/tickets', {
      body: { subject: 'Bundle check', description: 'From the esbuild bundle', severity: 'sev1', requester: { email: 'pat@customer.example', name: 'Pat' } },
    });
    const read = await request('GET', `/tickets/${created.body.id}`);

    expect(created.status).toBe(201);
    expect(created.body.caseNumber).toMatch(/^CARET-\d{6}$/);
    expect(read.status).toBe(200);
    expect(read.body.entitlement.status).toBe('entitled');
  });

  it('answers bad input with a 400 naming the field', async () => {
    const answer = await api(runtime)('POST', '/tickets', { body: { subject: 'x' } });

    expect(answer.status).toBe(400);
    // Its message's wording is not proven here: zod keeps its configuration (the English messages) on
    // globalThis, and this process's own zod registered them. The bundle's own English is checked above.
    expect(answer.body.errors).toContainEqual({ field: 'description', message: expect.any(String) });
  });

  it('serves the OpenAPI document the sources make', async () => {
    const answer = await api(runtime)('GET', '/openapi.json');

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(openApiDocument());
  });
});

/** The ticket the mail with this subject opened, once the ingest bundle has made it. */
async function ticketFor(subject: string): Promise<any> {
  const request = api(runtime);
  return eventually(`the ticket "${subject}"`, async () => (await ticketsWithSubject(request, subject))[0]);
}

/** A mail as written by a mail program that does not use UTF-8: every header and the body in a legacy charset. */
const WINDOWS_1252_MAIL = [
  'From: =?windows-1252?Q?Ren=E9e_M=FCller?= <renee@kunde.example>',
  `To: ${DESK}`,
  // 請求書が届きません（11月分） in ISO-2022-JP.
  'Subject: =?ISO-2022-JP?B?GyRCQEE1YT1xJCxGTyQtJF4kOyRzIUobKEIxMRskQjduSiwhSxsoQg==?=',
  'Date: Mon, 30 Nov 2026 08:15:00 +0100',
  'Message-ID: <cp1252-iso2022jp@kunde.example>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=windows-1252',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  // 0x80 (€), 0x93/0x94 (“ ”) and 0x96 (–) are where windows-1252 and ISO-8859-1 differ.
  'Die Rechnung f=FCr =93Gr=F6=DFe XL=94 kostet 12 =80 =96 bitte pr=FCfen.',
  '',
].join('\r\n');

describe.concurrent('the deployed Ingest bundle, behind the SMTP listener', () => {
  it('is self-contained: it imports only Node.js built-ins and the AWS SDK the Lambda runtime provides', () => {
    const bundle = readFileSync(join(ingestAsset, 'ingest.mjs'), 'utf8');
    // `from"x"`, `import("x")` and `require("x")` with a module name in quotes (not minified strings such as `from":case"`).
    const specifiers = [...bundle.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([@\w][\w./@:-]*)["']/g)].map((match) => match[1]!);

    expect(specifiers).toEqual(expect.arrayContaining(['@aws-sdk/client-s3', 'node:crypto']));
    expect(specifiers.filter((name) => !isBuiltin(name) && !name.startsWith('@aws-sdk/'))).toEqual([]);
    expect(bundle).not.toContain('tag:yaml.org,2002');
  });

  it('makes a plain mail a ticket with its subject, body and sender', async () => {
    const subject = 'Bundle mail: the export stops at 99 %';
    const delivered = await smtp.sendMail({ from: 'Pat Example <pat@customer.example>', to: DESK, subject, text: 'The nightly export stops at 99 %.\n\nPat' });
    expect(delivered.response).toMatch(/^250/);

    const ticket = await ticketFor(subject);

    expect(ticket).toMatchObject({ channel: 'email', requester: { email: 'pat@customer.example', name: 'Pat Example' } });
    expect(ticket.caseNumber).toMatch(/^CARET-\d{6}$/);
    expect(ticket.description).toContain('The nightly export stops at 99 %.');
  });

  it.each([
    {
      mail: 'a Shift_JIS subject, sender name and 8-bit body (test/fixtures/mail)',
      raw: readFileSync('test/fixtures/mail/subject-shift-jis.eml'),
      subject: '【CASE-000321】ログインできません',
      requester: { email: 'yamada@kaisha.example', name: '山田 太郎' },
      sentence: 'ログイン画面でエラーが表示されます。',
    },
    {
      mail: 'an ISO-8859-1 subject, sender name and 8-bit body (test/fixtures/mail)',
      raw: readFileSync('test/fixtures/mail/subject-iso-8859-1.eml'),
      subject: 'Re: [CASE-000077] Problema con la exportación',
      requester: { email: 'jose@empresa.example', name: 'José Martínez' },
      sentence: 'La exportación sigue fallando en la versión 4.2.',
    },
    {
      mail: 'an HTML-only mail, whose text the lazily loaded converter makes (test/fixtures/mail)',
      raw: readFileSync('test/fixtures/mail/html-only.eml'),
      subject: 'Dashboard shows wrong totals',
      requester: { email: 'priya@retail.example', name: 'Priya Natarajan' },
      sentence: '* Store: Chennai', // html-to-text's list item; stripping the tags instead would leave no bullet
    },
    {
      mail: 'an ISO-2022-JP subject, a windows-1252 sender name and a windows-1252 quoted-printable body',
      raw: WINDOWS_1252_MAIL,
      subject: '請求書が届きません（11月分）',
      requester: { email: 'renee@kunde.example', name: 'Renée Müller' },
      sentence: 'Die Rechnung für “Größe XL” kostet 12 € – bitte prüfen.',
    },
  ])('decodes $mail into the ticket', async ({ raw, subject, requester, sentence }) => {
    const delivered = await smtp.sendMail({ envelope: { from: requester.email, to: [DESK] }, raw });
    expect(delivered.response).toMatch(/^250/);

    const ticket = await ticketFor(subject);

    expect(ticket.requester).toMatchObject(requester);
    expect(ticket.description).toContain(sentence);
  });

  it('stores an attachment, with its non-ASCII file name, in the mail bucket', async () => {
    const subject = 'Bundle mail: log attached';
    const log = Buffer.from('2026-11-23 10:00:00 ERROR Export fehlgeschlagen\n'.repeat(50));
    await smtp.sendMail({ from: 'gus@example.com', to: DESK, subject, text: 'Siehe Protokoll.', attachments: [{ filename: 'Prüfprotokoll.log', content: log, contentType: 'text/plain' }] });

    const ticket = await ticketFor(subject);
    const created = (await timeline(api(runtime), ticket.id)).find((event) => event.type === 'created');
    const [attachment] = created.data.mail.attachments;

    expect(attachment).toMatchObject({ filename: 'Prüfprotokoll.log', contentType: 'text/plain', size: log.length });
    const s3 = new S3Client({ endpoint: runtime.s3Url, forcePathStyle: true });
    const stored = await s3.send(new GetObjectCommand({ Bucket: runtime.mailBucket, Key: attachment.key }));
    expect(Buffer.from(await stored.Body!.transformToByteArray())).toEqual(log);
  });
});
