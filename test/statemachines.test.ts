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
  StepFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:step',
  ParkFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:park',
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

  it('loops Step → wait on a parked token timed to the planned instant → Step, two states a wake-up and no Choice', () => {
    expect(definition.StartAt).toBe('Step');
    expect(states.Step).toMatchObject({ Resource: 'arn:aws:states:::lambda:invoke', Next: 'WaitForChangeOrDeadline' });
    expect(states.Step.Parameters.FunctionName).toBe(ARNS.StepFunctionArn);
    // Step knows which execution asks and since when, to end a superseded run and hand over before the limits.
    expect(states.Step.Parameters.Payload).toMatchObject({ 'execution.$': '$$.Execution.Name', 'startedAt.$': '$$.Execution.StartTime', 'cycle.$': '$.cycle', 'mailFailures.$': '$.mailFailures' });

    const wait = states.WaitForChangeOrDeadline;
    expect(wait.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(wait.Parameters.FunctionName).toBe(ARNS.ParkFunctionArn);
    expect(wait.Parameters.Payload['token.$']).toBe('$$.Task.Token');
    expect(wait.Parameters.Payload['action.$']).toBe('$.plan.action');
    expect(wait.TimeoutSecondsPath).toBe('$.plan.waitSeconds');
    // Passed through Parameters too: the local runner reads the path from the effective input.
    expect(wait.Parameters.Payload['waitSeconds.$']).toBe('$.plan.waitSeconds');
    expect(wait.Next).toBe('Step');
    // Park ends the execution by failing its own task with a named outcome.
    expect(wait.Catch).toEqual([
      { ErrorEquals: ['States.Timeout'], ResultPath: null, Next: 'Step' },
      { ErrorEquals: ['Tierdesk.Ended'], ResultPath: null, Next: 'Done' },
      { ErrorEquals: ['Tierdesk.HandedOver'], ResultPath: null, Next: 'HandedOver' },
    ]);
    expect(Object.values(states).filter((state: any) => state.Type === 'Choice')).toEqual([]);
    expect(states.Done.Type).toBe('Succeed');
    expect(states.HandedOver.Type).toBe('Succeed');
  });

  it('retries faults of both tasks with back-off, but never retries the endings, which the first matching retrier decides', () => {
    const tasks = Object.entries(states).filter(([, state]) => state.Type === 'Task');
    expect(tasks.map(([name]) => name)).toEqual(['Step', 'WaitForChangeOrDeadline']);
    for (const [, state] of tasks) {
      expect(state.Retry.some((r: any) => r.ErrorEquals.includes('Lambda.ServiceException') && r.ErrorEquals.includes('Lambda.TooManyRequestsException'))).toBe(true);
      const backOff = state.Retry.find((r: any) => r.ErrorEquals.includes('States.TaskFailed'));
      expect(backOff.BackoffRate).toBeGreaterThan(1);
      expect(backOff.MaxAttempts).toBeGreaterThanOrEqual(3);
    }
    // States.TaskFailed matches the endings too: the retrier that names them must come first.
    expect(states.WaitForChangeOrDeadline.Retry[0]).toMatchObject({ ErrorEquals: ['Tierdesk.Ended', 'Tierdesk.HandedOver'], MaxAttempts: 0 });
  });

  it('carries only {ticketId, cycle, mailFailures, plan} from one wake-up to the next, and the story for whoever reads the history', () => {
    // Step replaces the whole state with its selected result (ResultPath defaults to $).
    expect(states.Step.ResultPath).toBeUndefined();
    expect(Object.keys(states.Step.ResultSelector).sort()).toEqual(['cycle.$', 'mailFailures.$', 'plan', 'story.$', 'ticketId.$']);
    // The story is read by people, never by the next Step or Park: neither's input names it.
    expect(JSON.stringify(states.Step.Parameters)).not.toContain('story');
    expect(JSON.stringify(states.WaitForChangeOrDeadline.Parameters)).not.toContain('story');
    expect(states.WaitForChangeOrDeadline.ResultPath).toBeNull();
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

  it('plans, then waits for the notice, the start, each update and the end, each a step that re-reads the order and stops on a cancellation', () => {
    const path: string[] = [];
    for (let name: string | undefined = period.StartAt; name && name !== 'Done'; ) {
      path.push(name);
      const state = periodStates[name];
      name = state.Type === 'Choice' ? state.Default : state.Next;
    }
    expect(path).toEqual(['PeriodOrOrderMail', 'Plan', 'PlannedOrCancelled', 'WaitForNotice', 'Notice', 'NoticedOrCancelled', 'WaitForStart', 'Start', 'UpdateOrEnd', 'WaitForEnd', 'End']);
    // An execution started with `mail: true` only sends the order's owed mails (issue [9]).
    expect(periodStates.PeriodOrOrderMail.Choices).toEqual([{ Variable: '$.mail', IsPresent: true, Next: 'OrderMail' }]);
    expect(periodStates.OrderMail).toMatchObject({ Next: 'Done', Parameters: { FunctionName: STEP, Payload: { step: 'mail' } } });
    // While updates fall before the end: wait for each, send it, decide again.
    expect(periodStates.UpdateOrEnd.Choices[1]).toEqual({ Variable: '$.step.updateAt', IsString: true, Next: 'WaitForUpdate' });
    expect(periodStates.WaitForUpdate).toMatchObject({ TimestampPath: '$.step.updateAt', Next: 'Update' });
    expect(periodStates.Update.Next).toBe('UpdateOrEnd');
    expect(periodStates.Update.ResultSelector).toEqual(periodStates.Start.ResultSelector);
    expect(['WaitForNotice', 'WaitForStart', 'WaitForEnd'].map((s) => periodStates[s].TimestampPath)).toEqual(['$.plan.noticeAt', '$.plan.startAt', '$.plan.endAt']);
    for (const step of ['Plan', 'Notice', 'Start', 'Update', 'End']) {
      expect(periodStates[step].Parameters.FunctionName).toBe(STEP);
      expect(periodStates[step].Parameters.Payload.step).toBe(step.toLowerCase());
    }
    for (const choice of ['PlannedOrCancelled', 'NoticedOrCancelled', 'UpdateOrEnd']) expect(periodStates[choice].Choices[0].Next).toBe('Done');
    // A mail outage delays a step with back-off; it does not lose the period.
    for (const step of ['Notice', 'Start', 'Update', 'End']) expect(periodStates[step].Retry.some((r: any) => r.ErrorEquals.includes('States.ALL') && r.BackoffRate > 1)).toBe(true);
  });
});
