import { configureTwilioNumber } from './number-webhooks.ts';

/** npm run twilio:configure (src/cli/number-webhooks.ts). Exit 0 when set (or printed, with --dry-run); 1 with why not. */
process.exitCode = await configureTwilioNumber(process.argv.slice(2), process.env, process);
