/**
 * The policy's fixed words that the running code needs besides the policy itself: no zod here, so
 * the functions that act on a policy (and never validate one: ./json.ts) do not build its schema.
 * ./schema.ts builds its enums from these.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const TIER_REQUIREMENTS = ['stepsToReproduce', 'actionPlan', 'symptoms', 'diagnosticData'] as const;
/** How a case enters a tier: moved by the SLA clock when the tier below missed its target, or escalated by an agent. */
export const TIER_ENTRIES = ['timer', 'manual'] as const;

/** The same rule browsers apply to type="email" (and the local SES emulator to addresses). */
export const EMAIL_ADDRESS = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
