import { describe, expect, it } from 'vitest';
import { AppError, ConfigError, DependencyError, UserInputError } from '../../src/errors.ts';
import { InvalidRecordingKeyError, requireRecordingKey } from '../../src/recording/recording-store.ts';
import { SendError, type SendFailure } from '../../src/sms/sms-sender.ts';
import { ReferenceCollisionError } from '../../src/store/application-repository.ts';

describe('the error model', () => {
  it('when an error class extends AppError, then its name is the class name, without each class setting it', () => {
    class ParkingLotFullError extends AppError {}
    expect(new AppError('x').name).toBe('AppError');
    expect(new UserInputError('x').name).toBe('UserInputError');
    expect(new ConfigError(['x']).name).toBe('ConfigError');
    expect(new DependencyError('x').name).toBe('DependencyError');
    expect(new ParkingLotFullError('x').name).toBe('ParkingLotFullError');
  });

  it('when an AppError is made with no options, then it is an operational 500; given options, it keeps them and the cause', () => {
    const plain = new AppError('x');
    expect(plain).toBeInstanceOf(Error);
    expect({ status: plain.status, operational: plain.operational }).toEqual({ status: 500, operational: true });
    const cause = new Error('underneath');
    const bug = new AppError('y', { status: 409, operational: false, cause });
    expect({ status: bug.status, operational: bug.operational, cause: bug.cause }).toEqual({
      status: 409,
      operational: false,
      cause,
    });
  });

  it('when the caller sent something we cannot accept, then UserInputError answers 400 with its own message', () => {
    const error = new UserInputError('That username is taken.');
    expect({ status: error.status, operational: error.operational, message: error.message }).toEqual({
      status: 400,
      operational: true,
      message: 'That username is taken.',
    });
  });

  it('when the configuration has problems, then ConfigError lists every one, each on its own line, and is no bug', () => {
    const error = new ConfigError(['PORT must be a number', 'DATA_KEYS is required in production']);
    expect(error.problems).toEqual(['PORT must be a number', 'DATA_KEYS is required in production']);
    expect(error.message).toBe(
      'Configuration is invalid:\n  - PORT must be a number\n  - DATA_KEYS is required in production',
    );
    expect(error.operational).toBe(true);
  });

  it.each([408, 429, 500, 502, 503, 504])(
    'when a dependency answers %i, then the failure is retryable',
    (upstreamStatus) => {
      const error = new DependencyError('failed', { upstreamStatus });
      expect({ upstreamStatus: error.upstreamStatus, retryable: error.retryable }).toEqual({
        upstreamStatus,
        retryable: true,
      });
    },
  );

  it.each([400, 401, 403, 404, 422])('when a dependency answers %i, then the failure is not retryable', (status) => {
    expect(new DependencyError('refused', { upstreamStatus: status }).retryable).toBe(false);
  });

  it('when a dependency does not answer at all, then the failure is retryable', () => {
    const error = new DependencyError('timed out', { cause: new Error('ETIMEDOUT') });
    expect({ upstreamStatus: error.upstreamStatus, retryable: error.retryable }).toEqual({
      upstreamStatus: undefined,
      retryable: true,
    });
  });

  it('when the adapter says whether to retry, then that wins over the status code', () => {
    expect(new DependencyError('opted out', { retryable: false }).retryable).toBe(false);
    expect(new DependencyError('bad credentials, rows wait', { upstreamStatus: 401, retryable: true }).retryable).toBe(
      true,
    );
  });

  it('when a dependency fails, then it is answered 502 as an expected failure, not a bug of ours', () => {
    const error = new DependencyError('down', { upstreamStatus: 503 });
    expect(error).toBeInstanceOf(AppError);
    expect({ status: error.status, operational: error.operational }).toEqual({ status: 502, operational: true });
  });
});

describe('SendError', () => {
  it.each<{ failure: SendFailure; retryable: boolean }>([
    { failure: { kind: 'permanent', code: 21610, reason: 'opted out' }, retryable: false },
    { failure: { kind: 'rate-limited', retryAfterMs: 1000, reason: 'too many requests' }, retryable: true },
    { failure: { kind: 'transient', mayHaveBeenAccepted: true, reason: 'no answer' }, retryable: true },
  ])('when a send fails as $failure.kind, then retryable is $retryable', ({ failure, retryable }) => {
    const error = new SendError(failure);
    expect(error).toBeInstanceOf(DependencyError);
    expect({ name: error.name, message: error.message, retryable: error.retryable }).toEqual({
      name: 'SendError',
      message: failure.reason,
      retryable,
    });
  });
});

describe('errors of our own making', () => {
  it('when a recording key could leave the directory, then the error is a bug of ours: not operational', () => {
    expect(() => requireRecordingKey('../etc/passwd')).toThrow(InvalidRecordingKeyError);
    expect(() => requireRecordingKey('../etc/passwd')).toThrow(
      expect.objectContaining({ name: 'InvalidRecordingKeyError', operational: false, status: 500 }),
    );
  });

  it('when a drawn reference is already taken, then the collision is expected (operational) and names the reference', () => {
    const error = new ReferenceCollisionError('FP-2025-ABC123');
    expect(error).toBeInstanceOf(AppError);
    expect({ name: error.name, operational: error.operational, message: error.message }).toEqual({
      name: 'ReferenceCollisionError',
      operational: true,
      message: 'reference FP-2025-ABC123 is already taken',
    });
  });
});
