/**
 * The tierdesk stack: the table and the HTTP API so far; email, webhooks, workflows and
 * notifications join as their features land.
 */
import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { loadPolicy, policyPath } from '../core/policy/files';
import { TicketApi } from './api/http-api';
import { TicketTable } from './data/table';

export interface TierdeskStackProps extends StackProps {
  /** Preset name or policy file; validated at synth time so a bad policy never deploys. */
  policy?: string;
}

export class TierdeskStack extends Stack {
  constructor(scope: Construct, id: string, props: TierdeskStackProps = {}) {
    super(scope, id, props);
    Tags.of(this).add('application', 'tierdesk');
    const policyRef = props.policy ?? 'caret';
    loadPolicy(policyRef); // throws, listing every problem, before anything is built
    const data = new TicketTable(this, 'Data');
    new TicketApi(this, 'Api', { table: data.table, policyFile: policyPath(policyRef) });
  }
}
