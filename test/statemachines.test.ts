/**
 * The ASL files as data: valid JSONPath ASL (asl-validator, as the local runner also checks),
 * every definition substitution known, and the ticket lifecycle's shape per
 * docs/sla-workflow.md.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { substitute } from '../local/workflows';

type Validator = (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => { isValid: boolean; errors: unknown[] };
const aslValidator = createRequire(import.meta.url)('asl-validator') as Validator;

const source = readFileSync(new URL('../statemachines/ticket-lifecycle.asl.json', import.meta.url), 'utf8');
const ARNS = {
  PlanFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:plan',
  ParkFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:park',
  ActFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:act',
  NotifyFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:notify',
};
const definition = JSON.parse(substitute(source, ARNS));
const states = definition.States as Record<string, any>;

describe('statemachines/ticket-lifecycle.asl.json', () => {
  it('is valid ASL once the substitutions CDK passes are applied, and names no other', () => {
    // Prepare / Act / Assess
    const result = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });

    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
    expect([...source.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]).sort()).toEqual(Object.keys(ARNS).sort());
    expect(() => substitute(source, {})).toThrow(/no definition substitution/);
  });

  it('plans, waits on a parked token timed to the next event, acts on the timeout, notifies, plans again', () => {
    expect(definition.StartAt).toBe('Plan');
    expect(states.Plan).toMatchObject({ Resource: 'arn:aws:states:::lambda:invoke', Next: 'WhatNext' });
    expect(states.Plan.Parameters.FunctionName).toBe(ARNS.PlanFunctionArn);
    expect(states.WhatNext.Choices.map((c: any) => [c.StringEquals, c.Next])).toEqual([
      ['wait', 'WaitForChangeOrDeadline'],
      ['act', 'Act'],
      ['end', 'Done'],
      ['replaced', 'HandedOver'],
    ]);
    // Plan knows which execution asks and since when, to end a superseded run and hand over before the limits.
    expect(states.Plan.Parameters.Payload).toMatchObject({ 'execution.$': '$$.Execution.Name', 'startedAt.$': '$$.Execution.StartTime', 'cycle.$': '$.cycle' });

    const wait = states.WaitForChangeOrDeadline;
    expect(wait.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(wait.Parameters.FunctionName).toBe(ARNS.ParkFunctionArn);
    expect(wait.Parameters.Payload['token.$']).toBe('$$.Task.Token');
    expect(wait.TimeoutSecondsPath).toBe('$.plan.waitSeconds');
    // Passed through Parameters too: the local runner reads the path from the effective input.
    expect(wait.Parameters.Payload['waitSeconds.$']).toBe('$.plan.waitSeconds');
    expect(wait.Catch).toEqual([{ ErrorEquals: ['States.Timeout'], ResultPath: null, Next: 'Act' }]);
    expect(wait.Next).toBe('Plan');

    expect(states.Act.Parameters.FunctionName).toBe(ARNS.ActFunctionArn);
    expect(states.Notify.Parameters.FunctionName).toBe(ARNS.NotifyFunctionArn);
    expect(states.Notify.Next).toBe('Plan');
    expect(states.Done.Type).toBe('Succeed');
    expect(states.HandedOver.Type).toBe('Succeed');
  });

  it('retries Lambda service errors on every task, and an email outage only delays Notify', () => {
    const tasks = Object.entries(states).filter(([, state]) => state.Type === 'Task');
    expect(tasks).toHaveLength(4);
    for (const [, state] of tasks) {
      expect(state.Retry.some((r: any) => r.ErrorEquals.includes('Lambda.ServiceException') && r.ErrorEquals.includes('Lambda.TooManyRequestsException'))).toBe(true);
    }
    const backOff = states.Notify.Retry.find((r: any) => r.ErrorEquals.includes('States.ALL'));
    expect(backOff.BackoffRate).toBeGreaterThan(1);
    expect(backOff.MaxAttempts).toBeGreaterThanOrEqual(5);
  });

  it('carries only {ticketId, cycle, plan} from one round to the next', () => {
    // Plan replaces the whole state with its selected result (ResultPath defaults to $).
    expect(states.Plan.ResultPath).toBeUndefined();
    expect(Object.keys(states.Plan.ResultSelector).sort()).toEqual(['cycle.$', 'plan', 'ticketId.$']);
    expect(states.WaitForChangeOrDeadline.ResultPath).toBeNull();
    expect(states.Notify.ResultPath).toBeNull();
  });
});

describe('statemachines/support-period.asl.json', () => {
  const periodSource = readFileSync(new URL('../statemachines/support-period.asl.json', import.meta.url), 'utf8');
  const STEP = 'arn:aws:lambda:us-east-1:123456789012:function:period-step';
  const period = JSON.parse(substitute(periodSource, { PeriodStepFunctionArn: STEP }));
  const periodStates = period.States as Record<string, any>;

  it('is valid ASL with its one substitution', () => {
    const result = aslValidator(structuredClone(period), { checkPaths: true, checkArn: true });
    expect(result.errors).toEqual([]);
    expect([...new Set([...periodSource.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]))]).toEqual(['PeriodStepFunctionArn']);
  });

  it('plans, then waits for the notice, the start and the end, each a step that re-reads the order and stops on a cancellation', () => {
    const path: string[] = [];
    for (let name: string | undefined = period.StartAt; name && name !== 'Done'; ) {
      path.push(name);
      const state = periodStates[name];
      name = state.Type === 'Choice' ? state.Default : state.Next;
    }
    expect(path).toEqual(['Plan', 'PlannedOrCancelled', 'WaitForNotice', 'Notice', 'NoticedOrCancelled', 'WaitForStart', 'Start', 'StartedOrCancelled', 'WaitForEnd', 'End']);
    expect(['WaitForNotice', 'WaitForStart', 'WaitForEnd'].map((s) => periodStates[s].TimestampPath)).toEqual(['$.plan.noticeAt', '$.plan.startAt', '$.plan.endAt']);
    for (const step of ['Plan', 'Notice', 'Start', 'End']) {
      expect(periodStates[step].Parameters.FunctionName).toBe(STEP);
      expect(periodStates[step].Parameters.Payload.step).toBe(step.toLowerCase());
    }
    for (const choice of ['PlannedOrCancelled', 'NoticedOrCancelled', 'StartedOrCancelled']) expect(periodStates[choice].Choices[0].Next).toBe('Done');
    // A mail outage delays a step with back-off; it does not lose the period.
    for (const step of ['Notice', 'Start', 'End']) expect(periodStates[step].Retry.some((r: any) => r.ErrorEquals.includes('States.ALL') && r.BackoffRate > 1)).toBe(true);
  });
});
