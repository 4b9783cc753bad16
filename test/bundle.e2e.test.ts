/**
 * The artifact CDK deploys, run for real: synthesize the stack, take the API function's esbuild
 * bundle (with the validated policy as policy.json and the policy's holiday data beside it) and
 * serve it from the local runtime against DynamoDB Local. Proves the bundle loads, finds its
 * policy.json (no YAML parser in the bundle) and its holidays.json (not date-holidays: that stays
 * out of the bundle) and talks to the table.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TierdeskStack } from '../lib/tierdesk-stack';
import { api, startTestRuntime, type Runtime } from './support/runtime';

// Inside the repository, so the bundle resolves the AWS SDK the Lambda runtime provides from node_modules.
const outdir = resolve(`cdk.out/bundle-test-${process.pid}`);
let runtime: Runtime;
let asset: string;
const holidaysEnv = process.env.TIERDESK_HOLIDAYS;

beforeAll(async () => {
  const app = new App({ outdir });
  new TierdeskStack(app, 'BundleTest', { policy: 'caret' });
  app.synth();
  const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.') && existsSync(join(outdir, name, 'index.mjs')));
  expect(assets).toHaveLength(1);
  asset = join(outdir, assets[0]!);
  expect(existsSync(join(asset, 'policy.json'))).toBe(true);
  expect(existsSync(join(asset, 'holidays.json'))).toBe(true);
  // As in Lambda (the function's TIERDESK_HOLIDAYS): the bundle reads its holidays from the file.
  process.env.TIERDESK_HOLIDAYS = join(asset, 'holidays.json');
  runtime = await startTestRuntime({ policy: join(asset, 'policy.json'), routes: [{ prefix: '/', module: join(asset, 'index.mjs') }] });
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  if (holidaysEnv === undefined) delete process.env.TIERDESK_HOLIDAYS;
  else process.env.TIERDESK_HOLIDAYS = holidaysEnv;
  rmSync(outdir, { recursive: true, force: true });
});

describe('the deployed API bundle', () => {
  it('carries the holiday data of the policy\'s regions only, and not date-holidays', () => {
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
    expect(answer.body.errors.map((error: { field: string }) => error.field)).toContain('description');
  });
});
