/** Human-readable case numbers: the policy's prefix and a zero-padded sequence, e.g. CASE-000123. */
export function formatCaseNumber(prefix: string, sequence: number): string {
  return `${prefix}-${String(sequence).padStart(6, '0')}`;
}

/** What a case number may look like: a prefix of 2–10 capitals and digits, a dash, up to 15 digits. */
export const CASE_NUMBER_PATTERN = /^[A-Z][A-Z0-9]{1,9}-[0-9]{1,15}$/;
