/**
 * Agent response latency, as the caller hears it: from the model deciding the
 * caller stopped speaking to the first agent audio frame we send to Twilio.
 * One measure per agent turn that follows caller speech. Caller speech that
 * starts again before the agent answered restarts the wait (the caller was not
 * waiting while they spoke). The per-frame check is one comparison: the audio
 * path stays as cheap as it was.
 */
export class AgentLatency {
  // -1: nobody is waiting for the agent. A number, not undefined, so the per-frame check stays one comparison.
  #callerStoppedAt = -1;
  readonly #measured: number[] = [];

  /** input_audio_buffer.speech_stopped: the caller now waits for the agent. */
  callerStopped(atMs: number): void {
    this.#callerStoppedAt = atMs;
  }

  /** input_audio_buffer.speech_started: the caller talks again, so they are not waiting. */
  callerStarted(): void {
    this.#callerStoppedAt = -1;
  }

  /** Every agent frame sent to Twilio; the latency in ms when this frame answered the caller, else -1. */
  agentAudioSent(atMs: number): number {
    if (this.#callerStoppedAt < 0) return -1;
    const latencyMs = Math.max(0, atMs - this.#callerStoppedAt);
    this.#callerStoppedAt = -1;
    this.#measured.push(latencyMs);
    return latencyMs;
  }

  /** Every latency of the call so far, in turn order. */
  get measuredMs(): readonly number[] {
    return this.#measured;
  }
}
