/**
 * In-order release of batches that commit out of order. MQTT requires a receiver to send its
 * PUBACKs in the order the PUBLISH packets arrived (MQTT 3.1.1 §4.6, MQTT 5 §4.6): with several
 * batches committing at once, a batch that commits before an earlier one is held until every
 * earlier batch has committed, then released with them, oldest first. Pure: no I/O, no clock.
 */
export class InOrderRelease<T> {
  /** Ticket of the oldest batch not yet released. */
  private head = 0;
  private nextTicket = 0;
  private readonly done = new Map<number, T>();

  /** A ticket for the next batch, in arrival order. */
  take(): number {
    return this.nextTicket++;
  }

  /** Batches taken and not yet released (committing, or committed and held). */
  get outstanding(): number {
    return this.nextTicket - this.head;
  }

  /** Committed batches held behind an earlier one still committing. */
  get held(): number {
    return this.done.size;
  }

  /**
   * Batch `ticket` committed with `value`: returns the values now released, in ticket order (empty
   * while an earlier batch is still committing). A ticket completes once.
   */
  complete(ticket: number, value: T): T[] {
    if (!Number.isInteger(ticket) || ticket < this.head || ticket >= this.nextTicket || this.done.has(ticket)) {
      throw new RangeError(`ticket ${ticket} is not outstanding (outstanding: ${this.head}..${this.nextTicket - 1})`);
    }
    this.done.set(ticket, value);
    const out: T[] = [];
    while (this.done.has(this.head)) {
      out.push(this.done.get(this.head)!);
      this.done.delete(this.head);
      this.head++;
    }
    return out;
  }
}
