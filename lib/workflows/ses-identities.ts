/**
 * SES sending, scoped to the identities mail goes out as: shared by the ticket workflow's Step
 * and the support period's step function, so both are granted exactly the same way.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Effect, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * The SES identities to authorize for sender identities: each as given, plus the domain of an
 * address (SES authorizes against the domain when the domain is the verified identity). Deduplicated.
 */
export function sesIdentities(senderIdentities: readonly string[]): string[] {
  return [...new Set(senderIdentities.flatMap((identity) => (identity.includes('@') ? [identity, identity.split('@')[1]!] : [identity])))];
}

/**
 * Lets the grantee call ses:SendEmail and ses:SendRawEmail as the sender identities only (their
 * identity ARNs in this stack's account and region). No identities: nothing is granted.
 */
export function grantSendAs(scope: IConstruct, grantee: IGrantable, senderIdentities: readonly string[]): void {
  const identities = sesIdentities(senderIdentities);
  if (identities.length === 0) return;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resources: identities.map((identity) => Stack.of(scope).formatArn({ service: 'ses', resource: 'identity', resourceName: identity, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })),
    }),
  );
}
