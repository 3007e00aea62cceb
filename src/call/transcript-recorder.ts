import type { Logger } from 'pino';
import type { ItemRole } from '../realtime/realtime-session.ts';
import type { CallRepository, TurnRole } from '../store/call-repository.ts';

/**
 * Keeps a call's transcript in conversation order. Items take their place
 * in the model's item chain when they are announced (after their
 * previous_item_id); their text is saved when it arrives, which for a
 * caller's turn may be after the agent has started answering. Each turn is
 * written as soon as its text is known, so a crash loses at most one.
 */
interface Item {
  readonly position: number;
  readonly role: ItemRole;
  offsetMs: number;
}

export class TranscriptRecorder {
  readonly #calls: CallRepository;
  readonly #callSid: string;
  readonly #log: Logger;
  readonly #items = new Map<string, Item>();
  readonly #order: string[] = [];
  readonly #pending = new Set<Promise<void>>();

  constructor(calls: CallRepository, callSid: string, logger: Logger) {
    this.#calls = calls;
    this.#callSid = callSid;
    this.#log = logger;
  }

  /** Places an item after `previousItemId` (or last); announcing it again changes nothing. */
  itemAdded(itemId: string, previousItemId: string | undefined, role: ItemRole, offsetMs: number): void {
    if (this.#items.has(itemId)) return;
    const after = previousItemId === undefined ? this.#order.length - 1 : this.#order.indexOf(previousItemId);
    const index = after < 0 && previousItemId !== undefined ? this.#order.length : after + 1;
    const before = this.#positionAt(index - 1);
    const next = this.#positionAt(index);
    // Positions are numbers with room between them, so an item inserted mid-chain never renumbers saved turns.
    const position = next === undefined ? (before ?? 0) + 1 : ((before ?? next - 1) + next) / 2;
    this.#order.splice(index, 0, itemId);
    this.#items.set(itemId, { position, role, offsetMs });
  }

  /** The caller started speaking this item at `offsetMs` into the call (audio time). */
  startedAt(itemId: string, offsetMs: number): void {
    const item = this.#items.get(itemId);
    if (item !== undefined) item.offsetMs = offsetMs;
  }

  text(itemId: string, role: TurnRole, text: string, offsetMs: number): void {
    if (!this.#items.has(itemId)) this.itemAdded(itemId, undefined, role, offsetMs);
    const item = this.#items.get(itemId);
    if (item === undefined) return;
    const saving = this.#calls
      .saveTurn(this.#callSid, { itemId, position: item.position, role, text, offsetMs: Math.round(item.offsetMs) })
      .catch((error: unknown) => {
        this.#log.error({ err: error, itemId }, 'could not save a transcript turn');
      })
      .finally(() => this.#pending.delete(saving));
    this.#pending.add(saving);
  }

  /** Waits for every turn in flight to be written. */
  async flush(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  #positionAt(index: number): number | undefined {
    const id = this.#order[index];
    return id === undefined ? undefined : this.#items.get(id)?.position;
  }
}
