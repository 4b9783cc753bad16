/**
 * Inbound mail ingested per second locally: SMTP delivery (nodemailer, 8 connections) → raw
 * message in the local S3 → the ingest handler (parse, claim, customer lookup, ticket write) →
 * the 250 answer, against POST /tickets on the same runtime in the same run: the ratio is what a
 * mail costs on top of an API ticket. Workflows off, so both measure intake alone.
 * Run directly with `npx tsx bench/mail.ts`.
 */
import { Agent, request as httpRequest } from 'node:http';
import nodemailer from 'nodemailer';
import { startRuntime } from '../local/runtime';
import type { BenchResult } from './calendar';
import { combine, IN_FLIGHT, type Measurement, measure, percentile, round, runInChildProcess } from './measure';

const WARM_UP = 100;
const MAILS = 400;

export async function benchMail(): Promise<BenchResult> {
  const { mail, api } = await runInChildProcess<{ mail: Measurement; api: Measurement }>(import.meta.url, 'mail');
  return {
    name: 'inbound mail (SMTP → S3 → ingest handler → ticket, local runtime)',
    figures: {
      'mails measured (each side)': MAILS,
      'deliveries in flight': IN_FLIGHT,
      'mails ingested/s': Math.round(mail.rate),
      'mail p50 ms': round(percentile(mail.latencies, 0.5)),
      'mail p99 ms': round(percentile(mail.latencies, 0.99)),
      'API tickets/s (same runtime)': Math.round(api.rate),
      'ratio mail / API ticket': Number((mail.rate / api.rate).toFixed(2)),
    },
  };
}

async function measureMail(): Promise<{ mail: Measurement; api: Measurement }> {
  const runtime = await startRuntime({ inMemory: true, port: 0, quiet: true, policy: 'caret', adminKey: 'td_admin_bench', workflows: false });
  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: runtime.smtpPort, pool: true, maxConnections: IN_FLIGHT, maxMessages: Infinity, ignoreTLS: true });
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const text = 'The CSV export times out after 30 seconds for reports with more than 10,000 rows.\n\nRegards,\nPat';
  let sequence = 0;
  try {
    const deliver = async () => {
      const info = await smtp.sendMail({ from: 'Pat Example <pat@customer.example>', to: 'support@caret.example', subject: `Export fails ${++sequence}`, text });
      if (!info.response.startsWith('250')) throw new Error(`SMTP answered ${info.response}`);
    };
    const body = JSON.stringify({ subject: 'Export fails', description: text, severity: 'sev2', requester: { email: 'pat@customer.example', name: 'Pat Example' } });
    const target = new URL(`${runtime.url}/tickets`);
    const intake = () =>
      new Promise<void>((resolve, reject) => {
        const headers = { authorization: `Bearer ${runtime.adminKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
        const req = httpRequest(target, { method: 'POST', agent, headers }, (response) => {
          response.resume();
          response.on('end', () => (response.statusCode === 201 ? resolve() : reject(new Error(`intake answered ${response.statusCode}`))));
        });
        req.on('error', reject);
        req.end(body);
      });
    await measure(deliver, WARM_UP);
    await measure(intake, WARM_UP);
    // Side by side, twice each in alternation, so neither gets a warmer machine.
    const mail1 = await measure(deliver, MAILS / 2);
    const api1 = await measure(intake, MAILS / 2);
    const mail2 = await measure(deliver, MAILS / 2);
    const api2 = await measure(intake, MAILS / 2);
    return { mail: combine(mail1, mail2), api: combine(api1, api2) };
  } finally {
    smtp.close();
    agent.destroy();
    await runtime.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--measure=mail')) console.log(JSON.stringify(await measureMail()));
  else console.log(await benchMail());
}
