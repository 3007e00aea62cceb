import type { EventEmitter } from 'node:events';
import { DependencyError } from '../errors.ts';
import type { ToolDefinition } from '../intake/permit-tools.ts';
import type { ResponseUsage, TranscriptionUsage } from './realtime-server-events.ts';

/**
 * The model side of a call, as the call bridge sees it. The OpenAI adapter
 * implements it over the openai package's realtime WebSocket client; tests
 * and the simulators meet it over a real socket, never by faking this port.
 */
export interface RealtimeSessionConfig {
  readonly instructions: string;
  readonly tools: readonly ToolDefinition[];
  readonly voice: string;
  readonly vad: { readonly threshold: number; readonly silenceMs: number; readonly prefixMs: number };
  readonly transcription: { readonly model: string; readonly language: string; readonly prompt: string };
}

export type ItemRole = 'caller' | 'agent' | 'tool';

export interface FunctionCall {
  readonly callId: string;
  readonly itemId: string | undefined;
  readonly name: string;
  readonly arguments: string;
}

/**
 * Opening a session failed: the model refused the upgrade (`upstreamStatus`),
 * did not answer in time, or could not be reached. `retryable` is false when
 * no retry can fix it (our credentials refused, 401/403; any other 4xx but
 * 408/429): the model circuit then opens at once.
 */
export class ModelUnavailableError extends DependencyError {}

/**
 * An error event on an open session. Not a thrown error and no `retryable`:
 * `fatal` says this session cannot go on (bad key, no quota, session
 * expired), which is a different question from whether a new one would work.
 */
export interface RealtimeSessionError {
  readonly code: string | undefined;
  readonly message: string;
  readonly fatal: boolean;
}

export interface RealtimeSessionEvents {
  /** The model accepted our session.update: it can be asked to speak. */
  ready: [];
  responseStarted: [responseId: string];
  audio: [delta: string, itemId: string];
  speechStarted: [itemId: string, audioStartMs: number];
  /** The model's turn detection heard the caller stop: they now wait for the agent. */
  speechStopped: [itemId: string, audioEndMs: number];
  /** An item joined the conversation after `previousItemId`: the order transcripts are kept in. */
  itemAdded: [itemId: string, previousItemId: string | undefined, role: ItemRole];
  callerTranscript: [itemId: string, text: string];
  agentTranscript: [itemId: string, text: string];
  functionCall: [call: FunctionCall];
  responseDone: [status: string, usage: ResponseUsage | undefined];
  transcriptionUsage: [usage: TranscriptionUsage];
  error: [error: RealtimeSessionError];
  closed: [code: number, reason: string];
}

export interface RealtimeSession extends Pick<EventEmitter<RealtimeSessionEvents>, 'on' | 'once' | 'off'> {
  configure(config: RealtimeSessionConfig): void;
  appendAudio(base64Mulaw: string): void;
  /** `instructions`: what this one response is to say (response.create's own instructions, docs/protocols.md). */
  createResponse(instructions?: string): void;
  cancelResponse(): void;
  truncate(itemId: string, audioEndMs: number): void;
  sendToolResult(callId: string, output: string): void;
  close(): void;
  readonly isOpen: boolean;
  /** When the model will end this session (epoch ms, from session.created); undefined until known. */
  readonly expiresAt: number | undefined;
}
