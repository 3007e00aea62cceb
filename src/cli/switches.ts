import type { Client } from '@libsql/client';
import { loadConfig } from '../config/config.ts';
import { AuditLog } from '../store/audit-log.ts';
import { openDatabase } from '../store/database.ts';
import { migrate } from '../store/migrations.ts';
import {
  isSwitchName,
  ServiceSwitches,
  type SwitchName,
  type SwitchState,
  type SwitchStatus,
} from '../store/service-switches.ts';
import { EXIT, operatingSystemUser, parseCommandLine, UsageError } from './operator.ts';

/**
 * npm run voice -- off|on|status and npm run sms -- off|on|status: the
 * operator's kill switches from the server's shell (docs/incident-response.md).
 * package.json names the switch as the first argument. The change is in the
 * shared database, so every instance and worker follows it at their next call
 * or poll, without a deploy; it is written to the audit log as `cli:<OS user>`
 * from `local`.
 */

const SOURCE_ADDRESS = 'local';

interface SwitchWords {
  /** The npm script: npm run <this> -- … */
  readonly script: string;
  readonly title: string;
  readonly whenOff: string;
  readonly whenOn: string;
}

const WORDS: Readonly<Record<SwitchName, SwitchWords>> = {
  'voice-ai': {
    script: 'voice',
    title: 'Voice AI',
    whenOff:
      'every new call now goes to the keypad IVR; calls already talking with the assistant carry on until they end.',
    whenOn: 'new calls talk with the AI assistant again (while the model is answering).',
  },
  'sms-sending': {
    script: 'sms',
    title: 'SMS sending',
    whenOff: 'texts stay queued in the outbox, unsent; nothing is lost.',
    whenOn: 'the outbox workers send the queued texts at their next poll.',
  },
};

function usage(words: SwitchWords): string {
  return `Usage: npm run ${words.script} -- <command>
  off [--reason "..."]   turn ${words.title} off: ${words.whenOff}
  on [--reason "..."]    turn ${words.title} back on
  status                 say whether it is on or off, since when, by whom and why`;
}

type Command = { readonly name: 'off' | 'on'; readonly reason: string | undefined } | { readonly name: 'status' };

async function main(argv: readonly string[]): Promise<number> {
  const [switchName, ...rest] = argv;
  if (switchName === undefined || !isSwitchName(switchName)) {
    process.stderr.write(
      'Run this as npm run voice -- off|on|status or npm run sms -- off|on|status (the script names the switch).\n',
    );
    return EXIT.usage;
  }
  const words = WORDS[switchName];
  let command: Command;
  try {
    command = parseCommand(rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${usage(words)}\n`);
    return EXIT.usage;
  }
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`${loaded.error.message}\n`);
    return EXIT.refused;
  }
  let db: Client | undefined;
  try {
    db = await openDatabase(loaded.config.database);
    await migrate(db);
    const switches = new ServiceSwitches(db, new AuditLog(db));
    if (command.name === 'status') {
      say(describe(await switches.status(switchName), words));
      return EXIT.ok;
    }
    await turn(switches, switchName, command.name, command.reason, words);
    return EXIT.ok;
  } catch (error) {
    process.stderr.write(
      `${words.script} ${command.name} failed: ${error instanceof Error ? error.message : String(error)}\nCheck DATABASE_URL points at the service's database, then run npm run ${words.script} -- status to see where the switch stands.\n`,
    );
    return EXIT.refused;
  } finally {
    db?.close();
  }
}

function parseCommand(argv: readonly string[]): Command {
  const parsed = parseCommandLine(argv, { reason: { type: 'string' } });
  const [name, ...extra] = parsed.positionals;
  const { reason } = parsed.values;
  if (name === undefined) throw new UsageError('Which command: off, on or status?');
  if (extra.length > 0)
    throw new UsageError(`${name} takes no more words; also given: ${extra.join(' ')}. Quote a reason: --reason "…"`);
  if (name === 'status') {
    if (reason !== undefined) throw new UsageError('status does not take --reason.');
    return { name };
  }
  if (name !== 'off' && name !== 'on') throw new UsageError(`There is no command "${name}".`);
  return { name, reason };
}

async function turn(
  switches: ServiceSwitches,
  name: SwitchName,
  state: SwitchState,
  reason: string | undefined,
  words: SwitchWords,
): Promise<void> {
  const actor = `cli:${operatingSystemUser()}`;
  say(`Turning ${words.title} ${state}…`);
  const { changed, status } = await switches.set(name, state, { actor, sourceAddress: SOURCE_ADDRESS, reason });
  if (!changed) {
    say(`${words.title} was already ${state}; nothing was changed.`);
    say(describe(status, words));
    return;
  }
  say(`${words.title} is ${state}: ${state === 'off' ? words.whenOff : words.whenOn}`);
  say(`Recorded in the audit log as switch.${name}.${state} by ${actor}.`);
  if (state === 'off') say(`Turn it back on with: npm run ${words.script} -- on`);
}

/** The status line: state, since when, by whom, why. */
function describe(status: SwitchStatus, words: SwitchWords): string {
  if (status.changedAt === undefined) return `${words.title} is ${status.state} (it has never been switched).`;
  const why = status.reason === '' ? 'no reason given' : `reason: "${status.reason}"`;
  const next = status.state === 'off' ? ` Turn it back on with: npm run ${words.script} -- on` : '';
  return `${words.title} is ${status.state} since ${status.changedAt}, set by ${status.changedBy ?? 'unknown'} (${why}).${next}`;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

process.exitCode = await main(process.argv.slice(2));
