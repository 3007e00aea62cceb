import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerfileProblems } from '../support/dockerfile-rules.ts';

const ROOT = join(import.meta.dirname, '../..');
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
const NODE_MAJOR = Number(packageJson.devDependencies.node?.split('.')[0]);

function problemsWith(from: string | RegExp, to: string): string[] {
  const changed = DOCKERFILE.replace(from, to);
  expect(changed, `the Dockerfile no longer contains ${String(from)}`).not.toBe(DOCKERFILE);
  return dockerfileProblems(changed, { nodeMajor: NODE_MAJOR });
}

describe('the Dockerfile', () => {
  it('keeps every rule: multi-stage, pinned Node of the tested major, non-root, node as PID 1, health check, no secrets', () => {
    expect(NODE_MAJOR).toBe(24);
    expect(dockerfileProblems(DOCKERFILE, { nodeMajor: NODE_MAJOR })).toEqual([]);
  });

  it('when the runtime stage runs as root, or sets no user, then that is named', () => {
    expect(problemsWith(/^USER node$/m, 'USER root')).toEqual([
      'the runtime stage runs as root: it must be a non-root user',
    ]);
    expect(problemsWith(/^USER node$/m, '')).toEqual(['the runtime stage sets no USER: the service would run as root']);
  });

  it('when CMD goes through npm or a shell, then SIGTERM would miss the service, and that is named', () => {
    expect(problemsWith(/^CMD .*$/m, 'CMD ["npm", "start"]')).toEqual([
      'CMD starts npm, not node: npm or a shell in between keeps SIGTERM from the service',
    ]);
    expect(problemsWith(/^CMD .*$/m, 'CMD node src/main.ts')).toEqual([
      'CMD is in shell form: a shell would be PID 1 and SIGTERM would not reach node; use ["node", …]',
    ]);
    expect(problemsWith(/^CMD .*$/m, 'CMD ["/usr/bin/tini", "--", "node", "src/main.ts"]')).toEqual([]);
  });

  it('when the base image floats, or is another Node major, then that is named', () => {
    expect(problemsWith('node:24.21.0-bookworm-slim', 'node:24-bookworm-slim')).toEqual([
      'the base image node:24-bookworm-slim is not pinned to an exact version or digest',
    ]);
    expect(problemsWith('node:24.21.0-bookworm-slim', 'node:22.12.0-bookworm-slim')).toEqual([
      'the base image is Node 22, but the tests run on Node 24',
    ]);
  });

  it('when the health check is missing, a remote ADD or a secret in ENV or ARG appears, then each is named', () => {
    expect(problemsWith(/^HEALTHCHECK[^]*?\]\n/m, '')).toEqual(['the runtime stage has no HEALTHCHECK']);
    expect(problemsWith(/^COPY twiml .*$/m, 'ADD https://example.org/twiml.tar.gz ./twiml')).toEqual([
      'ADD fetches https://example.org/twiml.tar.gz: nothing from the network goes into a layer unchecked',
    ]);
    expect(problemsWith(/^ENV NODE_ENV=production/m, 'ENV TWILIO_AUTH_TOKEN=abc NODE_ENV=production')).toEqual([
      "ENV TWILIO_AUTH_TOKEN would keep a secret in the image's layers",
    ]);
    expect(problemsWith(/^WORKDIR \/app$/m, 'ARG DATA_KEYS\nWORKDIR /app')).toContain(
      "ARG DATA_KEYS would keep a secret in the image's layers",
    );
  });

  it('when development dependencies would ship, or the runtime installs its own, then that is named', () => {
    expect(problemsWith('npm ci --omit=dev', 'npm ci')).toEqual([
      'an npm install in the image does not --omit=dev: development tools would ship',
    ]);
    expect(problemsWith(/^COPY --from=dependencies .*$/m, 'RUN npm ci --omit=dev')).toEqual([
      'the runtime stage installs dependencies itself: copy them from the build stage',
    ]);
  });

  it('keeps the build context to what the image needs: .dockerignore admits nothing by default', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const admitted = ignore.filter((line) => line.startsWith('!')).map((line) => line.slice(1));
    expect(admitted.sort()).toEqual(['package-lock.json', 'package.json', 'prompts/', 'src/', 'twiml/']);
  });
});
