import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/staff/password.ts';
import { openDatabase } from '../../src/store/database.ts';
import { StaffRepository } from '../../src/store/staff-repository.ts';
import { STAFF_CLI } from '../support/cli.ts';
import { TEST_KEY_A } from '../support/keys.ts';
import { tempDatabaseFile } from '../support/service.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * `npm run staff -- add` at a real terminal: util-linux's `script` gives the CLI a pseudo-terminal, and this test
 * types into it. What the terminal shows is everything the pseudo-terminal sends back, echo included.
 */

const PASSWORD = 'lemon squeezy autumn harbour';
const quoted = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;

let file: ReturnType<typeof tempDatabaseFile>;
beforeEach(() => {
  file = tempDatabaseFile();
});
afterEach(() => {
  file.cleanup();
});

describe('npm run staff at a terminal', () => {
  it('when both passwords are pasted at the first prompt, then neither is shown and the account is made with it', async () => {
    const command = [process.execPath, STAFF_CLI, 'add', 'ana', '--role', 'admin'].map(quoted).join(' ');
    const terminal = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
      env: {
        PATH: process.env.PATH ?? '',
        TERM: 'dumb',
        DATABASE_URL: file.url,
        NODE_ENV: 'test',
        DATA_KEYS: TEST_KEY_A,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let shown = '';
    terminal.stdout.on('data', (d: Buffer) => (shown += d.toString()));
    terminal.stderr.on('data', (d: Buffer) => (shown += d.toString()));
    const exited = new Promise<number | null>((resolve) => terminal.on('exit', resolve));
    try {
      await waitUntil(
        () => shown.includes('New password: '),
        `the first prompt; the terminal shows:\n${shown}`,
        15_000,
      );
      // A terminal sends Enter as a carriage return.
      terminal.stdin.write(`${PASSWORD}\r${PASSWORD}\r`);
      await waitUntil(() => terminal.exitCode !== null, `the CLI finishes; the terminal shows:\n${shown}`, 15_000);
    } finally {
      if (terminal.exitCode === null && terminal.pid !== undefined) process.kill(-terminal.pid, 'SIGKILL');
    }

    expect(await exited).toBe(0);
    expect(shown).toContain('New password: ');
    expect(shown).toContain('The same password again: ');
    expect(shown).toContain('Added ana (admin).');
    expect(shown).not.toContain('lemon');
    const db = await openDatabase({ url: file.url });
    try {
      const user = await new StaffRepository(db).findByUsername('ana');
      expect(await verifyPassword(PASSWORD, user?.passwordHash ?? '')).toBe(true);
    } finally {
      db.close();
    }
  }, 40_000);
});
