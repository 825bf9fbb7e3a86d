import type { AgentRecord } from '../records.js';
import { asDeliveryError, isTooLarge, joinRefusals, refusalOf, refusedPart, withRemaining, type Refusal } from './batches.js';

/**
 * One write to a sink. A batch the sink finds too large is written again in halves (down to
 * single records), so one oversized batch never blocks delivery. A half that fails retryably
 * hands back what it left and the half not tried yet as `remaining`, so what was stored is not
 * sent again; a half refused for good does not stop the other half, and only its records are
 * reported as `refused`. `onSplit` is told of every split.
 */
export async function writeSplittingTooLarge(write: (records: readonly AgentRecord[]) => Promise<void>, records: readonly AgentRecord[], onSplit: () => void): Promise<void> {
  try {
    await write(records);
  } catch (error) {
    if (!isTooLarge(error) || records.length < 2) throw error;
    onSplit();
    const half = Math.ceil(records.length / 2);
    const first = records.slice(0, half);
    const second = records.slice(half);
    let refused: Refusal | undefined;
    for (const [part, untried] of [[first, second], [second, []]] as const) {
      try {
        await writeSplittingTooLarge(write, part, onSplit);
      } catch (partError) {
        const failure = asDeliveryError(partError);
        if (failure.retryable) throw withRemaining(failure, part, untried, refused);
        refused = joinRefusals(refused, refusalOf(failure, part));
      }
    }
    if (refused) throw refusedPart(refused);
  }
}
