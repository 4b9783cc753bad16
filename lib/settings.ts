/**
 * The settings a vendor gives the stack (README, "Deploying"): as props of TierdeskStack, or as
 * CDK context (`cdk.json` or `-c name=value`). Props win over context. Validated with zod before
 * anything is built, so a wrong value stops the synth with one line per problem naming the setting.
 */
import { z } from 'zod';
import { isRecipient, recipientsFromContext } from './email/inbound-email';

/** How callers reach the ticket API (webhooks are always open: providers authenticate by signature). */
export const API_ACCESS_MODES = ['api-key', 'iam'] as const;
export type ApiAccessMode = (typeof API_ACCESS_MODES)[number];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const StackSettingsSchema = z.object({
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/, 'lower-case letters, digits and "-", starting with a letter, at most 20 characters (e.g. "prod", "staging")')
    .default('prod')
    .describe('Names the deployment in alarms, the dashboard and tags.'),
  policy: z.string().min(1).default('caret').describe('A preset name or the path of a policy file; validated at synth.'),
  senderIdentity: z
    .string()
    .trim()
    .refine((value) => isRecipient(value) && !value.startsWith('.'), 'an SES identity: a verified domain (support.example.com) or address (support@example.com)')
    .optional()
    .describe("The SES identity mail is sent as. Default: the policy's notifications.from."),
  inboundRecipients: z
    .unknown()
    .optional()
    .transform((value, context) => {
      try {
        return recipientsFromContext(value); // a list, a JSON array string or a comma-separated string
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message.replace(/^inboundRecipients: /, '') });
        return z.NEVER;
      }
    })
    .describe('Addresses or domains SES receives mail for; none: no inbound email.'),
  alarmEmail: z
    .string()
    .trim()
    .regex(EMAIL, 'an email address (oncall@example.com)')
    .optional()
    .describe('Where alarms are mailed (an SNS email subscription the address must confirm).'),
  apiAccess: z
    .enum(API_ACCESS_MODES, { error: `one of ${API_ACCESS_MODES.map((mode) => `"${mode}"`).join(', ')}` })
    .default('api-key')
    .describe('"api-key": the ticket API is public and every request carries a tierdesk API key; "iam": callers also sign with AWS SigV4.'),
  reservedConcurrency: z
    .preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean({ error: 'true or false' }))
    .default(true)
    .describe('Reserve concurrency for the functions a runaway would hurt; false in accounts whose concurrency limit is below 200.'),
});

export type StackSettings = z.infer<typeof StackSettingsSchema>;
export type StackSettingsInput = z.input<typeof StackSettingsSchema>;

export const SETTING_NAMES = Object.keys(StackSettingsSchema.shape) as (keyof StackSettings)[];

/** A setting that cannot be used, with every problem named. */
export class StackSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`tierdesk stack settings: ${problems.length} problem(s)\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'StackSettingsError';
  }
}

/**
 * The settings from props, else from CDK context (`tryGetContext(name)` for each setting).
 * Throws StackSettingsError listing each invalid setting by name.
 */
export function resolveSettings(props: Partial<Record<keyof StackSettings, unknown>>, context: (name: string) => unknown): StackSettings {
  const input = Object.fromEntries(
    SETTING_NAMES.map((name) => [name, props[name] ?? context(name)]).filter(([, value]) => value !== undefined && value !== null && value !== ''),
  );
  const result = StackSettingsSchema.safeParse(input);
  if (!result.success) {
    throw new StackSettingsError(result.error.issues.map((issue) => `${issue.path.join('.') || '(settings)'}: ${issue.message}`));
  }
  return result.data;
}
