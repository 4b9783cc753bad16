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

export const SIGN_IN_MFA_MODES = ['optional', 'required'] as const;

/** Cognito's limit for a callback URL. */
const MAX_URL_LENGTH = 1024;

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Why a value cannot be the console's URL (a Cognito callback), or undefined. */
function consoleUrlProblem(value: string): string | undefined {
  const url = parseUrl(value);
  if (!url) return `not a URL: "${value}" (e.g. https://desk.example.com/)`;
  if (value.length > MAX_URL_LENGTH) return `at most ${MAX_URL_LENGTH} characters`;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && url.hostname === 'localhost')) return 'https://…, or http://localhost… for development (Cognito refuses other http addresses)';
  if (url.hash || value.includes('#')) return 'no "#fragment" (Cognito refuses callback URLs with one)';
  if (url.username || url.password) return 'no user name or password in the URL';
  return undefined;
}

/** Why a value is not a bare origin (scheme, host, optional port), or undefined. */
function originProblem(value: string): string | undefined {
  const url = parseUrl(value);
  if (!url || !/^https?:$/.test(url.protocol) || url.origin !== value) return `an origin: scheme, host and optional port, no path or trailing "/" (e.g. https://desk.example.com), not "${value}"`;
  if (url.protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return 'https, or http on a loopback host for development';
  return undefined;
}

/**
 * The one origin the API's CORS allows: the consoleOrigin setting, else the console URL's origin;
 * undefined when neither is set (the stack's own console distribution then, lib/console/).
 */
export function consoleOrigin(settings: Pick<StackSettings, 'consoleUrl' | 'consoleOrigin'>): string | undefined {
  return settings.consoleOrigin ?? (settings.consoleUrl ? new URL(settings.consoleUrl).origin : undefined);
}

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
  alarmEmail: z.string().trim().regex(EMAIL, 'an email address (oncall@example.com)').optional().describe('Where alarms are mailed (an SNS email subscription the address must confirm).'),
  apiAccess: z
    .enum(API_ACCESS_MODES, { error: `one of ${API_ACCESS_MODES.map((mode) => `"${mode}"`).join(', ')}` })
    .default('api-key')
    .describe('"api-key": the ticket API is public and every request carries a tierdesk API key; "iam": callers also sign with AWS SigV4.'),
  reservedConcurrency: z
    .preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean({ error: 'true or false' }))
    .default(true)
    .describe('Reserve concurrency for the functions a runaway would hurt; false in accounts whose concurrency limit is below 200.'),
  adminEmail: z
    .string()
    .trim()
    .regex(EMAIL, 'an email address (ops@example.com)')
    .optional()
    .describe('The first admin: created in the user pool, invited by mail with a temporary password, put in the admin group.'),
  consoleUrl: z
    .string()
    .trim()
    .superRefine((value, context) => {
      const problem = consoleUrlProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .optional()
    .describe(
      "The console's address: the sign-in pages return to it (callback and sign-out URL); its origin is the one CORS allows. Default: the stack's own console, https://<distribution>/console/.",
    ),
  consoleOrigin: z
    .string()
    .trim()
    .superRefine((value, context) => {
      const problem = originProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .optional()
    .describe("The one origin the API answers cross-origin requests from. Default: consoleUrl's origin."),
  consoleDomainName: z
    .string()
    .trim()
    .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a lower-case DNS name (desk.example.com)')
    .optional()
    .describe("The console distribution's own domain (TLS 1.2+); needs consoleCertificateArn. Point a CNAME/alias at the distribution."),
  consoleCertificateArn: z
    .string()
    .trim()
    .regex(/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/, 'an ACM certificate ARN in us-east-1 (CloudFront takes certificates only from there)')
    .optional()
    .describe('The ACM certificate (us-east-1) of consoleDomainName.'),
  signInDomainPrefix: z
    .string()
    .trim()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and "-", 1 to 63 characters, not starting or ending with "-"')
    .refine((value) => !/aws|amazon|cognito/.test(value), 'may not contain "aws", "amazon" or "cognito" (Cognito refuses them)')
    .optional()
    .describe('Prefix of the hosted sign-in domain (<prefix>.auth.<region>.amazoncognito.com). Default: the stack name and the account id.'),
  sourceMaps: z
    .preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean({ error: 'true or false' }))
    .optional()
    .describe(
      'Stack traces in the functions\' logs name the TypeScript source (--enable-source-maps), at a cold-start cost measured by npm run bench. Default: off in stage "prod", on in every other stage.',
    ),
  signInMfa: z
    .enum(SIGN_IN_MFA_MODES, { error: `one of ${SIGN_IN_MFA_MODES.map((mode) => `"${mode}"`).join(', ')}` })
    .default('optional')
    .describe('"optional": each person may add an authenticator app (TOTP); "required": everyone must (a pool of staff only).'),
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
  const input = Object.fromEntries(SETTING_NAMES.map((name) => [name, props[name] ?? context(name)]).filter(([, value]) => value !== undefined && value !== null && value !== ''));
  const result = StackSettingsSchema.safeParse(input);
  if (result.success && !result.data.consoleDomainName !== !result.data.consoleCertificateArn) {
    throw new StackSettingsError([result.data.consoleDomainName ? 'consoleCertificateArn: required with consoleDomainName' : 'consoleDomainName: required with consoleCertificateArn']);
  }
  if (!result.success) {
    throw new StackSettingsError(result.error.issues.map((issue) => `${issue.path.join('.') || '(settings)'}: ${issue.message}`));
  }
  return result.data;
}

/**
 * Whether the functions load source maps: as set, else off in "prod" (CHOSEN: each cold start
 * pays for parsing the maps, and production stack traces are rare; a stage deployed with
 * -c sourceMaps=true reads them in TypeScript) and on in other stages, where they are read most.
 */
export const sourceMapsOn = (settings: Pick<StackSettings, 'stage' | 'sourceMaps'>): boolean => settings.sourceMaps ?? settings.stage !== 'prod';
