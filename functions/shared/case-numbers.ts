/**
 * Case numbers handed out from blocks reserved in the table (hi/lo): one counter write per
 * block instead of per ticket. Numbers are unique; tickets opened at the same time in
 * different Lambda containers may get numbers out of order, and a container that ends gives
 * up the rest of its block (a gap, never a duplicate).
 */
import type { DynamoStore } from '../store/dynamo-store';

export class CaseNumberBlocks {
  private next = 0;
  private last = -1;
  private refill: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<DynamoStore, 'reserveNumbers'>,
    private readonly blockSize: number,
  ) {}

  async take(): Promise<number> {
    while (this.next > this.last) {
      // Concurrent requests in one container share one reservation.
      this.refill ??= this.store
        .reserveNumbers('case', this.blockSize)
        .then((last) => {
          this.last = last;
          this.next = last - this.blockSize + 1;
        })
        .finally(() => (this.refill = undefined));
      await this.refill;
    }
    return this.next++;
  }
}
