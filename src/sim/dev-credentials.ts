/**
 * The Twilio auth token the service falls back to when TWILIO_AUTH_TOKEN is
 * not set: only for signing simulated calls on a developer's machine. It is
 * public by design, so production configuration refuses it.
 */
export const DEV_TWILIO_AUTH_TOKEN = 'dev-twilio-auth-token-not-secret';
