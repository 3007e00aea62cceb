import { DockerfileParser, type Instruction } from 'dockerfile-ast';

/**
 * The rules the image must keep (docs/adr/0008-container-image.md), checked on
 * the parsed Dockerfile rather than by matching its text, so that a rule reads
 * the instruction it is about wherever it sits. Each problem is one sentence.
 */
export interface ImageExpectations {
  /** The Node major the tests run on (the `node` devDependency). */
  readonly nodeMajor: number;
}

const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|DATA_KEYS|PRIVATE|CREDENTIAL)/i;
const REMOTE_SOURCE = /^(https?:|git@|git:|ssh:)/i;

export function dockerfileProblems(text: string, expected: ImageExpectations): string[] {
  const dockerfile = DockerfileParser.parse(text);
  const problems: string[] = [];
  const instructions = dockerfile.getInstructions();
  const froms = dockerfile.getFROMs();
  const lastFrom = froms.at(-1);
  if (lastFrom === undefined) return ['there is no FROM: the Dockerfile builds no image'];
  const finalStage = instructions.filter((i) => i.getRange().start.line > lastFrom.getRange().start.line);
  if (froms.length < 2)
    problems.push('the build is not multi-stage: dependencies must be installed in a stage of their own');

  problems.push(
    ...baseImageProblems(
      dockerfile.getInitialARGs(),
      froms.map((f) => f.getImage() ?? ''),
      expected,
    ),
  );

  const users = finalStage.filter((i) => i.getKeyword() === 'USER');
  const user = users.at(-1)?.getArgumentsContent()?.trim();
  if (user === undefined) problems.push('the runtime stage sets no USER: the service would run as root');
  else if (/^(root|0)(:|$)/.test(user)) problems.push(`the runtime stage runs as ${user}: it must be a non-root user`);

  const cmds = finalStage.filter((i) => i.getKeyword() === 'CMD');
  const cmd = cmds.at(-1);
  const words = cmd === undefined ? [] : jsonWords(cmd);
  if (cmd === undefined) problems.push('the runtime stage has no CMD');
  else if (words.length === 0)
    problems.push('CMD is in shell form: a shell would be PID 1 and SIGTERM would not reach node; use ["node", …]');
  else if (!startsNode(words))
    problems.push(
      `CMD starts ${words[0] ?? 'nothing'}, not node: npm or a shell in between keeps SIGTERM from the service`,
    );
  if (finalStage.some((i) => i.getKeyword() === 'ENTRYPOINT' && jsonWords(i).length === 0))
    problems.push('ENTRYPOINT is in shell form: a shell would be PID 1');

  const healthchecks = finalStage.filter((i) => i.getKeyword() === 'HEALTHCHECK');
  if (healthchecks.length === 0) problems.push('the runtime stage has no HEALTHCHECK');
  else if (!(healthchecks.at(-1)?.getArgumentsContent() ?? '').includes('/health/live'))
    problems.push('the HEALTHCHECK does not ask /health/live');

  if (!finalStage.some((i) => i.getKeyword() === 'EXPOSE')) problems.push('the runtime stage EXPOSEs no port');
  if (!finalStage.some((i) => i.getKeyword() === 'VOLUME' && (i.getArgumentsContent() ?? '').includes('/app/data')))
    problems.push('the data directory /app/data is not a VOLUME');

  for (const add of instructions.filter((i) => i.getKeyword() === 'ADD')) {
    const remote = add.getArguments().find((a) => REMOTE_SOURCE.test(a.getValue().replace(/^\["?/, '')));
    if (remote !== undefined)
      problems.push(`ADD fetches ${remote.getValue()}: nothing from the network goes into a layer unchecked`);
  }
  for (const env of [...dockerfile.getENVs(), ...instructions.filter((i) => i.getKeyword() === 'ARG')]) {
    for (const name of variableNames(env)) {
      if (SECRET_NAME.test(name))
        problems.push(`${env.getKeyword()} ${name} would keep a secret in the image's layers`);
    }
  }

  const installs = instructions.filter(
    (i) => i.getKeyword() === 'RUN' && /\bnpm (ci|install)\b/.test(i.getArgumentsContent() ?? ''),
  );
  if (!installs.some((i) => /\bnpm ci\b/.test(i.getArgumentsContent() ?? '')))
    problems.push('dependencies are not installed with npm ci (from the lock file)');
  if (installs.some((i) => !/--omit=dev\b/.test(i.getArgumentsContent() ?? '')))
    problems.push('an npm install in the image does not --omit=dev: development tools would ship');
  if (finalStage.some((i) => i.getKeyword() === 'RUN' && /\bnpm (ci|install)\b/.test(i.getArgumentsContent() ?? '')))
    problems.push('the runtime stage installs dependencies itself: copy them from the build stage');
  return problems;
}

/** The FROM lines must use one exactly pinned image of the expected Node major. */
function baseImageProblems(
  initial: readonly Instruction[],
  images: readonly string[],
  expected: ImageExpectations,
): string[] {
  const args = new Map<string, string>();
  for (const arg of initial) {
    const [name, value] = (arg.getArgumentsContent() ?? '').split('=', 2);
    if (name !== undefined && value !== undefined) args.set(name.trim(), value.trim());
  }
  const problems: string[] = [];
  for (const written of new Set(images)) {
    const image = written.replace(/^\$\{?(\w+)\}?$/, (_whole, name: string) => args.get(name) ?? written);
    const pinned = /@sha256:[0-9a-f]{64}$/.test(image) || /:\d+\.\d+\.\d+[\w.-]*$/.test(image);
    if (!pinned) problems.push(`the base image ${image} is not pinned to an exact version or digest`);
    const major = /^(?:docker\.io\/)?(?:library\/)?node:(\d+)\b/.exec(image)?.[1];
    if (major !== undefined && Number(major) !== expected.nodeMajor)
      problems.push(`the base image is Node ${major}, but the tests run on Node ${expected.nodeMajor}`);
    if (major === undefined && !image.includes('@sha256:'))
      problems.push(`the base image ${image} is not an official node image with its version in the tag`);
  }
  return problems;
}

function jsonWords(instruction: Instruction): string[] {
  const content = instruction.getArgumentsContent()?.trim() ?? '';
  if (!content.startsWith('[')) return [];
  try {
    const words: unknown = JSON.parse(content);
    return Array.isArray(words) ? words.map(String) : [];
  } catch {
    return [];
  }
}

/** node itself, or node under a small init (tini, dumb-init) that passes signals on. */
function startsNode(words: readonly string[]): boolean {
  const [first, ...rest] = words;
  if (first === undefined) return false;
  const program = first.split('/').at(-1);
  if (program === 'node') return true;
  if (program === 'tini' || program === 'dumb-init') return startsNode(rest[0] === '--' ? rest.slice(1) : rest);
  return false;
}

function variableNames(instruction: Instruction): string[] {
  const content = instruction.getArgumentsContent() ?? '';
  // ENV A=1 B=2 (and the old ENV A 1), ARG A=1: the names are what comes before each '=' (or the first word).
  const names = [...content.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1] ?? '');
  if (names.length > 0) return names;
  const first = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(content)?.[1];
  return first === undefined ? [] : [first];
}
