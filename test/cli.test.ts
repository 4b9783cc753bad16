/** The `tierdesk` command as a user runs it: a real process, real files, exit codes and output. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const POLICY = 'test/fixtures/policy.yaml';

async function tierdesk(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = promisify(execFile)('node', ['bin/tierdesk.js', ...args], { cwd: process.cwd(), env: { ...process.env, NO_COLOR: '1' } });
  if (input !== undefined) {
    run.child.stdin!.end(input);
  }
  try {
    const { stdout, stderr } = await run;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('tierdesk policy', () => {
  it('check accepts a valid file with exit 0 and a summary', async () => {
    const result = await tierdesk(['policy', 'check', POLICY]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('valid policy "Acme Support"');
    expect(result.stdout).toContain('2 severities');
  });

  it('check rejects a broken file with exit 1 and every problem at its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tierdesk-cli-'));
    const broken = readFileSync(POLICY, 'utf8')
      .replace('within: 30m, calendar: weekdays-24h', 'within: 30 minutes, calendar: weekdays-24h')
      .replace('timeZone: Europe/Berlin', 'timeZone: Europe/Atlantis');
    writeFileSync(join(dir, 'broken.yaml'), broken);

    const result = await tierdesk(['policy', 'check', join(dir, 'broken.yaml')]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('2 problem(s)');
    expect(result.stderr).toContain('calendars[1].timeZone: not an IANA time zone');
    expect(result.stderr).toContain('plans[0].objectives.1.firstResponse.within: "30 minutes" is not a duration');
  });

  it('show prints each plan and severity with its targets and calendars', async () => {
    const result = await tierdesk(['policy', 'show', POLICY]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/standard\s+1 Critical\s+30m \(weekdays-24h\)\s+4h \(office\)\s+2bd = 16h \(office\)\s+5bd = 40h \(office\)/);
    expect(result.stdout).toMatch(/premium\s+1 Critical\s+15m \(weekdays-24h\)/);
  });

  it('schema prints the JSON Schema that presets/policy.schema.json publishes', async () => {
    const result = await tierdesk(['policy', 'schema']);

    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync('presets/policy.schema.json', 'utf8')));
  });
});

describe('tierdesk sla due', () => {
  it('prints the due instant in UTC: Severity 1 opened Friday 23:50 on a Mon–Fri 24-hour calendar is due Monday 00:20', async () => {
    const result = await tierdesk(['sla', 'due', '--policy', POLICY, '--severity', '1', '--opened', '2026-11-27T23:50']);

    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('2026-11-30T05:20:00.000Z'); // Monday 00:20 in New York
  });

  it('--json names the target and the calendar; --tz replaces the calendar zone', async () => {
    const result = await tierdesk(['sla', 'due', '--policy', POLICY, '--severity', '1', '--metric', 'resolution', '--tier', 'L2', '--opened', '2026-11-27T16:00:00Z', '--tz', 'Asia/Tokyo', '--json']);

    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout);
    // Friday 16:00Z is 01:00 Saturday in Tokyo: 5 business days of 8 h run Mon 30 Nov – Fri 4 Dec, 09:00–17:00 JST.
    expect(answer).toMatchObject({
      due: '2026-12-04T08:00:00.000Z',
      target: { plan: 'standard', severity: '1', metric: 'resolution', tier: 'L2', within: '5bd', durationMs: 40 * 3_600_000 },
      calendar: { id: 'office', timeZone: 'Asia/Tokyo' },
    });
  });

  it('refuses a bad instant with exit 1 and names the option', async () => {
    const result = await tierdesk(['sla', 'due', '--policy', POLICY, '--severity', '1', '--opened', 'yesterday']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"yesterday" is not an ISO 8601 instant');
  });

  it('--batch answers one line per input line, in order, with errors in place', async () => {
    const input = [
      '{"opened":"2026-12-23T16:00","severity":"1","metric":"resolution"}',
      '{"opened":"2026-11-27T23:50","severity":1}',
      '{"opened":"2026-01-01T00:00Z","severity":"9"}',
      'not json',
      '{"opened":"2026-11-27T23:50","severity":"1","plan":"premium"}',
    ].join('\n');

    const result = await tierdesk(['sla', 'due', '--policy', POLICY, '--batch', '-'], input);

    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(result.code).toBe(1);
    expect(lines).toHaveLength(5);
    expect(lines[0].due).toBe('2026-12-29T15:00:00.000Z'); // 2 business days in Berlin over Christmas
    expect(lines[1].due).toBe('2026-11-30T05:20:00.000Z');
    expect(lines[2]).toEqual({ line: 3, error: { field: 'severity', message: 'unknown severity "9" (known: 1, 2)' } });
    expect(lines[3]).toMatchObject({ line: 4, error: { field: 'line' } });
    expect(lines[4].due).toBe('2026-11-30T05:05:00.000Z'); // premium: 15 minutes
  });
});

describe('tierdesk pricing 24x7', () => {
  it('prices by started block of 10 users and hands 100+ users to custom pricing', async () => {
    const priced = await tierdesk(['pricing', '24x7', '--policy', POLICY, '--users', '25']);
    const custom = await tierdesk(['pricing', '24x7', '--policy', POLICY, '--users', '100']);

    expect(priced.stdout).toContain('$300 per month (3 block(s) of 10 users)');
    expect(custom.stdout).toContain('custom pricing');
  });

  it('refuses a user count that is not a whole number', async () => {
    const result = await tierdesk(['pricing', '24x7', '--users', 'ten']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('use a whole number of users');
  });
});
