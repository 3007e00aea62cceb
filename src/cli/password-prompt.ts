import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';

/** A terminal's input as the prompt uses it: process.stdin at a terminal, or a test's stand-in. */
export interface TerminalInput extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  setRawMode(mode: boolean): unknown;
}

/** Ctrl-C at a password prompt. */
export class PromptCancelled extends Error {}

/**
 * Passwords read at a terminal with nothing typed ever shown. The terminal goes into raw mode (no echo) the moment
 * the prompt is opened, before the command does its slower work (opening the database) and long before the first
 * question is written, so what is typed ahead is not shown either; it is kept and answers the next question. One
 * reader serves every question, so two lines pasted at once answer the two questions in turn.
 */
export class PasswordPrompt {
  readonly #input: TerminalInput;
  readonly #output: NodeJS.WritableStream;
  readonly #lines: Interface;
  readonly #typed: string[] = [];
  #waiting: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  #cancelled = false;

  constructor(input: TerminalInput, output: NodeJS.WritableStream) {
    this.#input = input;
    this.#output = output;
    input.setRawMode(true);
    // readline edits the line (backspace and the like) and echoes to its output: one that discards everything.
    const discard = new Writable({
      write: (_chunk, _encoding, done) => {
        done();
      },
    });
    this.#lines = createInterface({ input, output: discard, terminal: true });
    this.#lines.on('line', (line) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (waiting === undefined) this.#typed.push(line);
      else waiting.resolve(line);
    });
    this.#lines.on('SIGINT', () => {
      this.#cancelled = true;
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.reject(new PromptCancelled('Cancelled'));
    });
  }

  /** Writes `question` and resolves with the next line typed (or typed ahead); a newline follows the answer. */
  async ask(question: string): Promise<string> {
    if (this.#cancelled) throw new PromptCancelled('Cancelled');
    this.#output.write(question);
    try {
      const ahead = this.#typed.shift();
      if (ahead !== undefined) return ahead;
      return await new Promise<string>((resolve, reject) => {
        this.#waiting = { resolve, reject };
      });
    } finally {
      this.#output.write('\n');
    }
  }

  /** The terminal back as it was: echo on. */
  close(): void {
    this.#lines.close();
    this.#input.setRawMode(false);
    this.#input.pause();
  }
}
