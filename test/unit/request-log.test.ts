import { describe, expect, it } from 'vitest';
import { redactedRequest, redactedResponse, redactedUrl } from '../../src/web/request-log.ts';

const RESUME_TOKEN = 'C2-8PHQ3TmK0vZk2hXAUqQABAgMEBQYHCAkKCwwNDg8';
const REVIEW_TOKEN = 'FP-2026-7KQ3XM-AbCdEfGhIjKlMnOp';

describe('the request log', () => {
  it('when a link with a token is logged, then the token is replaced and what follows it kept', () => {
    expect(redactedUrl(`/apply/resume/${RESUME_TOKEN}?type=mobile_food_unit`)).toBe(
      '/apply/resume/[token]?type=mobile_food_unit',
    );
    expect(redactedUrl(`/s/${REVIEW_TOKEN}`)).toBe('/s/[token]');
    expect(redactedUrl(`https://permits.example.test/s/${REVIEW_TOKEN}#top`)).toBe(
      'https://permits.example.test/s/[token]',
    );
    expect(redactedUrl('/apply?type=mobile_food_unit')).toBe('/apply?type=mobile_food_unit');
    // Only where a link's token is: a path that merely contains the prefix is left as it is.
    expect(redactedUrl('/static/s/app.css')).toBe('/static/s/app.css');
  });

  it('when a query string is logged, then values that may be personal are replaced and our own words kept', () => {
    expect(redactedUrl('/staff/calls?q=%2B13125550142&outcome=submitted&from=2026-11-01&page=2')).toBe(
      '/staff/calls?q=[redacted]&outcome=submitted&from=2026-11-01&page=2',
    );
    expect(redactedUrl('/staff/login?next=%2Fstaff%2Fcalls%3Fq%3D3125550142')).toBe('/staff/login?next=[redacted]');
    expect(redactedUrl('/staff/calls?q=&outcome=')).toBe('/staff/calls?q=&outcome=');
    expect(redactedUrl('/staff/calls?3125550142&%2B1312=x')).toBe('/staff/calls?[redacted]&[redacted]');
  });

  it('when pino-http serializes a request and its response, then the URL, query, Referer and Location are redacted', () => {
    const req = redactedRequest({
      url: '/staff/calls?q=3125550142',
      query: { q: '3125550142', page: '2' },
      params: { token: RESUME_TOKEN },
      headers: { host: 'x', referer: 'https://permits.example.test/staff/calls?q=3125550142' },
    });
    const res = redactedResponse({ headers: { location: '/staff/login?next=%2Fstaff%2Fcalls%3Fq%3D3125550142' } });

    expect(JSON.stringify([req, res])).not.toMatch(/3125550142|C2-8PHQ/);
    expect(req).toMatchObject({ query: { q: '[redacted]', page: '2' }, headers: { host: 'x' } });
  });
});
