import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isToolCall, loadScenario, SCENARIOS_DIR } from './scenario.ts';

/**
 * Which bundled scenario agent audio comes from: the realtime simulator plays
 * a scenario's own recordings, so stretches of its lines turn up byte for byte
 * in what the phone played. npm run call uses it to tell a service that plays
 * another scenario than the caller's from one whose agent simply talks
 * differently (a real model).
 */

/** A stretch this long (100 ms) is specific to one recording. */
const PIECE_BYTES = 800;
/** Pieces start this far apart in a line, so any 200 ms of it holds a whole one. */
const PIECE_STEP_BYTES = 800;

type Piece = { readonly scenario: string; readonly line: string; readonly bytes: Buffer };

/** Names the bundled scenarios (other than `own`) whose lines are heard in audio, most lines first; [] if none. */
export function scenarioGuesser(own: string, scenariosDir: string = SCENARIOS_DIR): (audio: Buffer) => string[] {
  const pieces = bundledPieces(own, scenariosDir);
  return (audio) => {
    const lines = new Map<string, Set<string>>();
    for (const piece of pieces) {
      if (!audio.includes(piece.bytes)) continue;
      const heard = lines.get(piece.scenario) ?? new Set<string>();
      heard.add(piece.line);
      lines.set(piece.scenario, heard);
    }
    const best = Math.max(0, ...[...lines.values()].map((heard) => heard.size));
    return [...lines].filter(([, heard]) => heard.size === best && best > 0).map(([scenario]) => scenario);
  };
}

function bundledPieces(own: string, scenariosDir: string): Piece[] {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the bundled scenarios folder
  const names = readdirSync(scenariosDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== own)
    .map((entry) => entry.name);
  return names.flatMap((name) => {
    let scenario;
    try {
      scenario = loadScenario(join(scenariosDir, name, 'scenario.json'));
    } catch {
      return [];
    }
    const files = new Set(
      scenario.turns.flatMap((turn) =>
        turn.speaker === 'agent' ? turn.outputs.flatMap((output) => (isToolCall(output) ? [] : [output.audio])) : [],
      ),
    );
    return [...files].flatMap((file) => {
      let audio: Buffer;
      try {
        audio = scenario.audioOf(file);
      } catch {
        return [];
      }
      const pieces: Piece[] = [];
      for (let at = 0; at + PIECE_BYTES <= audio.length; at += PIECE_STEP_BYTES) {
        const bytes = audio.subarray(at, at + PIECE_BYTES);
        // Silence is in every recording; it says nothing about which one plays.
        if (bytes.every((byte) => byte === bytes[0])) continue;
        pieces.push({ scenario: name, line: file, bytes });
      }
      return pieces;
    });
  });
}
