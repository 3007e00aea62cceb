import twilio from 'twilio';

/**
 * Posts a form to one of the service's Twilio webhooks the way Twilio does.
 * The signature covers the public URL (what Twilio was configured with), not
 * the test server's address. `signature`: 'valid' (our token), 'forged'
 * (another token), or 'none'.
 */
export async function postTwilioWebhook(
  target: { readonly serviceUrl: string; readonly publicBaseUrl: string; readonly authToken: string },
  path: string,
  params: Record<string, string>,
  signature: 'valid' | 'forged' | 'none' = 'valid',
): Promise<{ status: number; body: string }> {
  const signedUrl = `${target.publicBaseUrl}${path}`;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (signature !== 'none')
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(
      signature === 'valid' ? target.authToken : 'not-the-auth-token',
      signedUrl,
      params,
    );
  const res = await fetch(target.serviceUrl + path, { method: 'POST', headers, body: new URLSearchParams(params) });
  return { status: res.status, body: await res.text() };
}
