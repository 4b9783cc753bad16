/**
 * What each Step of a ticket's execution said it applied and waits for (its output's `story`,
 * core/sla/story.ts), oldest first, read from the local Step Functions endpoint's history as an
 * operator reads it in AWS.
 */
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { StepStory } from '../../core/sla/story';
import type { Runtime } from './runtime';

export async function stepStories(runtime: Pick<Runtime, 'ticketStateMachineArn'>, execution: string): Promise<StepStory[]> {
  // The runtime points the SDK at its endpoint (AWS_ENDPOINT_URL_SFN).
  const executionArn = `${runtime.ticketStateMachineArn.replace(':stateMachine:', ':execution:')}:${execution}`;
  const history = await new SFNClient({}).send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return (history.events ?? [])
    .filter((event) => event.type === 'TaskStateExited' && event.stateExitedEventDetails?.name === 'Step')
    .map((event) => (JSON.parse(event.stateExitedEventDetails!.output!) as { story: StepStory }).story);
}
