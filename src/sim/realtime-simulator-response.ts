import { setTimeout as delay } from 'node:timers/promises';
import type {
  ConversationItem,
  RealtimeConversationItemAssistantMessage,
  RealtimeConversationItemFunctionCall,
  RealtimeResponse,
} from 'openai/resources/realtime/realtime';
import { newId, transcriptDeltas, type OutgoingEvent } from './realtime-simulator-protocol.ts';
import type { AgentOutput } from './scenario.ts';
import { BYTES_PER_MS } from './speech-detector.ts';

/**
 * One simulated model response: streams the scenario's outputs as the GA API
 * frames them (output item, content part, audio and transcript deltas, done
 * events). The session decides what it plays and when it ends.
 */

export type SpeechOutput = Exclude<AgentOutput, { call: string }>;
export type ToolCallOutput = Extract<AgentOutput, { call: string }>;

export interface ResponseContext {
  readonly send: (event: OutgoingEvent) => void;
  /** Appends an item to the conversation; returns the id of the item before it. */
  readonly appendItem: (itemId: string) => string | null;
  /** An assistant audio item is final (complete or cut off): its audio length, for truncate's bounds. */
  readonly audioItemDone: (itemId: string, audioMs: number) => void;
  readonly audioOf: (file: string) => Buffer;
  readonly conversationId: string;
  readonly voice: string;
  readonly audioChunkMs: number;
  readonly audioChunkIntervalMs: number;
}

interface SpeakingItem {
  readonly item: RealtimeConversationItemAssistantMessage & { id: string };
  readonly outputIndex: number;
  transcript: string;
  audioBytes: number;
}

export class SimulatedResponse {
  readonly id = newId('resp');
  readonly output: ConversationItem[] = [];
  /** Characters of text the model produced (transcripts, tool arguments), for usage. */
  outputChars = 0;
  outputAudioMs = 0;
  readonly #context: ResponseContext;
  readonly #abort = new AbortController();
  #speaking: SpeakingItem | undefined;

  constructor(context: ResponseContext) {
    this.#context = context;
  }

  get stopped(): boolean {
    return this.#abort.signal.aborted;
  }

  describe(status: NonNullable<RealtimeResponse['status']>): RealtimeResponse {
    return {
      id: this.id,
      object: 'realtime.response',
      conversation_id: this.#context.conversationId,
      status,
      output: [...this.output],
      output_modalities: ['audio'],
      audio: { output: { format: { type: 'audio/pcmu' }, voice: this.#context.voice } },
      max_output_tokens: 'inf',
      metadata: null,
    };
  }

  /** Stops streaming (cancelled or the socket closed); an item cut off mid-audio is completed as incomplete. */
  stop(): void {
    this.#abort.abort();
    const speaking = this.#speaking;
    this.#speaking = undefined;
    if (speaking !== undefined) this.#settleSpeech(speaking, 'incomplete');
  }

  callTool(output: ToolCallOutput): void {
    const args = JSON.stringify(output.arguments);
    const callId = newId('call');
    const item: RealtimeConversationItemFunctionCall & { id: string } = {
      id: newId('item'),
      object: 'realtime.item',
      type: 'function_call',
      status: 'in_progress',
      call_id: callId,
      name: output.call,
      arguments: '',
    };
    const outputIndex = this.#addOutputItem(item);
    const common = { response_id: this.id, item_id: item.id, output_index: outputIndex, call_id: callId };
    this.#context.send({ type: 'response.function_call_arguments.delta', ...common, delta: args });
    this.#context.send({
      type: 'response.function_call_arguments.done',
      ...common,
      name: output.call,
      arguments: args,
    });
    this.outputChars += output.call.length + args.length;
    this.#completeOutputItem(outputIndex, { ...item, status: 'completed', arguments: args });
  }

  /** Rejects with an AbortError when stopped mid-way. */
  async speak(output: SpeechOutput): Promise<void> {
    const { send, audioChunkMs, audioChunkIntervalMs } = this.#context;
    const audio = this.#context.audioOf(output.audio);
    const item: SpeakingItem['item'] = {
      id: newId('item'),
      object: 'realtime.item',
      type: 'message',
      role: 'assistant',
      status: 'in_progress',
      content: [],
    };
    const outputIndex = this.#addOutputItem(item);
    const speaking: SpeakingItem = { item, outputIndex, transcript: '', audioBytes: 0 };
    this.#speaking = speaking;
    const part = { response_id: this.id, item_id: item.id, output_index: outputIndex, content_index: 0 };
    send({ type: 'response.content_part.added', ...part, part: { type: 'audio', transcript: '' } });

    const chunkBytes = audioChunkMs * BYTES_PER_MS;
    const chunks = Math.max(1, Math.ceil(audio.length / chunkBytes));
    const texts = transcriptDeltas(output.say, chunks);
    for (let chunk = 0; chunk < chunks; chunk += 1) {
      await delay(audioChunkIntervalMs, undefined, { signal: this.#abort.signal });
      const bytes = audio.subarray(chunk * chunkBytes, (chunk + 1) * chunkBytes);
      send({ type: 'response.output_audio.delta', ...part, delta: bytes.toString('base64') });
      speaking.audioBytes += bytes.length;
      const text = texts[chunk] ?? '';
      if (text !== '') {
        speaking.transcript += text;
        send({ type: 'response.output_audio_transcript.delta', ...part, delta: text });
      }
    }
    this.#speaking = undefined;
    send({ type: 'response.output_audio.done', ...part });
    send({ type: 'response.output_audio_transcript.done', ...part, transcript: output.say });
    send({ type: 'response.content_part.done', ...part, part: { type: 'audio', transcript: output.say } });
    this.#settleSpeech(speaking, 'completed');
  }

  #addOutputItem(item: ConversationItem & { id: string }): number {
    const outputIndex = this.output.length;
    this.#context.send({ type: 'response.output_item.added', response_id: this.id, output_index: outputIndex, item });
    this.#context.send({ type: 'conversation.item.added', item, previous_item_id: this.#context.appendItem(item.id) });
    return outputIndex;
  }

  #completeOutputItem(outputIndex: number, item: ConversationItem): void {
    this.output.push(item);
    this.#context.send({ type: 'response.output_item.done', response_id: this.id, output_index: outputIndex, item });
    this.#context.send({ type: 'conversation.item.done', item });
  }

  #settleSpeech(speaking: SpeakingItem, status: 'completed' | 'incomplete'): void {
    const audioMs = speaking.audioBytes / BYTES_PER_MS;
    this.#context.audioItemDone(speaking.item.id, audioMs);
    this.outputAudioMs += audioMs;
    this.outputChars += speaking.transcript.length;
    this.#completeOutputItem(speaking.outputIndex, {
      ...speaking.item,
      status,
      content: [{ type: 'output_audio', transcript: speaking.transcript }],
    });
  }
}
