/**
 * The ends of a ticket execution that the reconciler restarts: one place for the EventBridge
 * rule's pattern (lib/workflows/ticket-workflow.ts), the local runtime that mirrors it, and the
 * handler (functions/workflow/reconcile.ts). SUCCEEDED is a ticket closed or handed over.
 */
export const RESTARTED_EXECUTION_STATUSES: readonly string[] = ['FAILED', 'TIMED_OUT', 'ABORTED'];
