/** Human-readable case numbers: the policy's prefix and a zero-padded sequence, e.g. CASE-000123. */
export function formatCaseNumber(prefix: string, sequence: number): string {
  return `${prefix}-${String(sequence).padStart(6, '0')}`;
}
