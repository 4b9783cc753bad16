/**
 * The five shipped presets are valid policies, say where they come from and what they chose,
 * and a damaged copy of one is rejected with the exact place of the damage.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadPolicy, PRESETS_DIR, policyJsonText, presetNames } from '../../core/policy/files';
import { policyFromValidatedJson } from '../../core/policy/json';
import { parsePolicy } from '../../core/policy/load';
import { policyFromJson } from '../../core/policy/validate';

const PRESETS = ['advendio', 'cadents', 'cadmium', 'caret', 'vidizmo'] as const;

const presetText = (name: string): string => readFileSync(resolve(PRESETS_DIR, `${name}.yaml`), 'utf8');

/** A copy of a preset file with one value set (replaced or added), as a vendor editing the file might do. */
function brokenCopy(name: string, path: (string | number)[], value: unknown): string {
  const document = parseDocument(presetText(name));
  expect(document.hasIn(path.slice(0, -1)), `${name}.yaml has ${path.slice(0, -1).join('.')}`).toBe(true);
  document.setIn(path, value);
  return document.toString();
}

describe('the shipped presets', () => {
  it('are all found by name in the presets folder', () => {
    // Act
    const names = presetNames();

    // Assess
    expect(names).toEqual(expect.arrayContaining([...PRESETS]));
  });

  it.each(PRESETS)('%s is a valid policy with no problems', (name) => {
    // Prepare
    const text = presetText(name);

    // Act
    const result = parsePolicy(text);

    // Assess
    expect(result.ok ? [] : result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it.each(PRESETS)('%s names its source document and discloses its own choices', (name) => {
    // Act
    const policy = loadPolicy(name);

    // Assess
    expect(policy.id).toBe(name);
    expect(policy.source).toMatch(/support document 00[0-4]/i);
    expect(policy.notes.length).toBeGreaterThanOrEqual(5);
    for (const note of policy.notes) expect(note).toMatch(/document/i);
  });

  it('gives every vendor its own case number prefix', () => {
    // Act
    const prefixes = PRESETS.map((name) => loadPolicy(name).caseNumberPrefix);

    // Assess
    expect(prefixes).toEqual(['ADV', 'CDN', 'CDM', 'CARET', 'VIDZ']);
    expect(new Set(prefixes).size).toBe(PRESETS.length);
  });
});

describe('as the Lambdas read it: policy.json beside the bundle (no YAML parser, no schema)', () => {
  it.each(PRESETS)('%s: the functions read its JSON, unvalidated, as the same policy the file validates to', (name) => {
    // Act
    const json = policyJsonText(name);

    // Assess: defaults filled in at synth, so reading it needs no validation.
    expect(policyFromValidatedJson(json, `${name}.json`)).toEqual(loadPolicy(name));
    expect(policyFromJson(json, `${name}.json`)).toEqual(loadPolicy(name));
  });

  it('is the validated policy, defaults filled in: a default the file leaves out is written', () => {
    // Prepare: caret's tiers do not say how a case enters them; validation makes it "timer or manual".
    expect(readFileSync(`${PRESETS_DIR}/caret.yaml`, 'utf8')).not.toMatch(/enteredBy/);

    // Act
    const data = JSON.parse(policyJsonText('caret'));

    // Assess
    expect(data.tiers.map((tier: { enteredBy?: string[] }) => tier.enteredBy)).toEqual([
      ['timer', 'manual'],
      ['timer', 'manual'],
    ]);
  });

  it('is refused by the functions, not half-read, when it is not a policy synth wrote', () => {
    const raw = JSON.stringify({ id: 'caret', plans: [] }); // a hand-made file: no version, severities, calendars or tiers

    expect(() => policyFromValidatedJson(raw, 'policy.json')).toThrow(/policy\.json is not a valid policy:\n {2}- \(file\): not a policy as synth writes it/);
    expect(() => policyFromValidatedJson('plans: []', 'policy.json')).toThrow(/policy\.json is not a valid policy:\n {2}- \(file\): /);
    expect(() => policyFromValidatedJson('[]', 'policy.json')).toThrow(/not a policy as synth writes it/);
  });

  it('is validated with the same schema where it is validated: a damaged JSON copy names the same place as the YAML', () => {
    // Prepare
    const data = JSON.parse(policyJsonText('caret'));
    data.addOns[1].calendar = 'round-the-clock';

    // Act
    const fromJson = () => policyFromJson(JSON.stringify(data), 'policy.json');

    // Assess
    expect(fromJson).toThrow(/policy\.json is not a valid policy:\n {2}- addOns\[1\]\.calendar: /);
  });

  it('is refused, not half-read, when it is not JSON', () => {
    expect(() => policyFromJson('plans: []', 'policy.json')).toThrow(/policy\.json is not a valid policy:\n {2}- \(file\): /);
  });
});

describe('a damaged copy of a preset is rejected, naming the exact place', () => {
  it('CARET: Severity 3 measured on a calendar that does not exist', () => {
    // Prepare
    const text = brokenCopy('caret', ['plans', 1, 'objectives', 'sev3', 'firstResponse', 'calendar'], 'office-hours');

    // Act
    const result = parsePolicy(text);

    // Assess
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          path: 'plans[1].objectives.sev3.firstResponse.calendar',
          message: 'unknown calendar "office-hours" (known: weekdays-24h, business-hours, always)',
        },
      ],
    });
  });

  it('CARET: the 24/7 add-on pointing at a calendar that does not exist', () => {
    // Prepare
    const text = brokenCopy('caret', ['addOns', 1, 'calendar'], 'round-the-clock');

    // Act
    const result = parsePolicy(text);

    // Assess
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.map((problem) => problem.path)).toEqual(['addOns[1].calendar']);
  });

  it('ADvendio: a target written as "2 hours" instead of "2h"', () => {
    // Prepare
    const text = brokenCopy('advendio', ['plans', 1, 'objectives', 'sev1', 'firstResponse', 'within'], '2 hours');

    // Act
    const result = parsePolicy(text);

    // Assess
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      {
        path: 'plans[1].objectives.sev1.firstResponse.within',
        message: expect.stringContaining('"2 hours" is not a duration'),
      },
    ]);
  });

  it('ADvendio: business-day targets on a calendar that no longer says how long a business day is', () => {
    // Prepare
    const document = parseDocument(presetText('advendio'));
    document.deleteIn(['calendars', 0, 'businessDay']);

    // Act
    const result = parsePolicy(document.toString());

    // Assess: every "bd" target is named, the management chain included.
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.problems.map((problem) => problem.path);
    expect(paths).toContain('plans[0].objectives.sev2.firstResponse.within');
    expect(paths).toContain('plans[1].objectives.sev4.nextResponse.within');
    expect(paths).toContain('managementChain[2].respondWithin.within');
    expect(paths).not.toContain('plans[1].objectives.sev1.firstResponse.within'); // "2h" needs no business day
  });

  it('ADvendio: a holiday country date-holidays does not know', () => {
    // Prepare
    const text = brokenCopy('advendio', ['calendars', 0, 'holidays', 'country'], 'XX');

    // Act
    const result = parsePolicy(text);

    // Assess
    expect(result.ok ? [] : result.problems).toEqual([{ path: 'calendars[0].holidays.country', message: expect.stringContaining('unknown holiday country "XX"') }]);
  });

  it('Cadents: a resolution target for a support level that does not exist', () => {
    // Prepare
    const text = brokenCopy('cadents', ['plans', 0, 'objectives', 'sev1', 'resolution', 'level4'], { within: '5bd' });

    // Act
    const result = parsePolicy(text);

    // Assess
    expect(result.ok ? [] : result.problems).toEqual([
      {
        path: 'plans[0].objectives.sev1.resolution.level4',
        message: 'unknown tier "level4" (known: level1, level2, level3)',
      },
    ]);
  });

  it('Cadmium: support periods sold in blocks of no length', () => {
    // Prepare (fractions of an hour are allowed: test policies run whole periods in seconds)
    const text = brokenCopy('cadmium', ['supportPeriods', 'blockHours'], 0);

    // Act
    const result = parsePolicy(text);

    // Assess
    expect(result.ok ? [] : result.problems.map((problem) => problem.path)).toEqual(['supportPeriods.blockHours']);
  });

  it('VIDIZMO: a plan offering an add-on that is not defined', () => {
    // Prepare
    const text = brokenCopy('vidizmo', ['plans', 2, 'availableAddOns', 0], 'priority-update');

    // Act
    const result = parsePolicy(text);

    // Assess
    expect(result.ok ? [] : result.problems).toEqual([
      {
        path: 'plans[2].availableAddOns[0]',
        message: 'unknown add-on "priority-update" (known: priority-updates)',
      },
    ]);
  });
});
