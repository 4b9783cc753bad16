/**
 * The state machines of statemachines/ on the local Step Functions endpoint, from the same
 * ASL files CDK deploys: the `${…FunctionArn}` definition substitutions become local function
 * ARNs, each mapped to its in-process handler.
 */
import { readFileSync } from 'node:fs';
import { ACCOUNT_ID, type LocalStepFunctions, REGION, type TaskHandler } from './stepfunctions';

export const TICKET_LIFECYCLE = 'tierdesk-ticket-lifecycle';
export const SUPPORT_PERIOD = 'tierdesk-support-period';

const functionArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${name}`;

/** Substitution name → handler module (relative to this file), as lib/ will name them for CDK. */
const TICKET_LIFECYCLE_FUNCTIONS: Record<string, string> = {
  StepFunctionArn: '../functions/workflow/step.ts',
  ParkFunctionArn: '../functions/workflow/park.ts',
};

const SUPPORT_PERIOD_FUNCTIONS: Record<string, string> = {
  PeriodStepFunctionArn: '../functions/periods/step.ts',
};

/** Registers the ticket lifecycle; call after the handlers' environment is set (they are imported here). Returns its ARN. */
export function registerTicketLifecycle(stepFunctions: LocalStepFunctions): Promise<string> {
  return registerMachine(stepFunctions, TICKET_LIFECYCLE, 'ticket-lifecycle.asl.json', TICKET_LIFECYCLE_FUNCTIONS);
}

/** Registers the support period machine (issue [6]), as above. */
export function registerSupportPeriod(stepFunctions: LocalStepFunctions): Promise<string> {
  return registerMachine(stepFunctions, SUPPORT_PERIOD, 'support-period.asl.json', SUPPORT_PERIOD_FUNCTIONS);
}

async function registerMachine(stepFunctions: LocalStepFunctions, machine: string, file: string, functions: Record<string, string>): Promise<string> {
  const substitutions: Record<string, string> = {};
  const taskHandlers: Record<string, TaskHandler> = {};
  for (const [substitution, module] of Object.entries(functions)) {
    const name = `tierdesk-${module
      .replace(/^\.\.\/functions\//, '')
      .replace(/\.ts$/, '')
      .replace(/\//g, '-')}`;
    const imported = (await import(new URL(module, import.meta.url).href)) as { handler: TaskHandler };
    substitutions[substitution] = functionArn(name);
    taskHandlers[functionArn(name)] = imported.handler;
  }
  const definition = substitute(readFileSync(new URL(`../statemachines/${file}`, import.meta.url), 'utf8'), substitutions);
  return stepFunctions.register({ name: machine, definition, taskHandlers });
}

/** CDK's definitionSubstitutions: every `${Name}`; an unknown name is a mistake, not a literal. */
export function substitute(text: string, substitutions: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new Error(`no definition substitution for \${${name}}`);
    return value;
  });
}
