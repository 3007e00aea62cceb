import { describe, expect, it } from 'vitest';
import { clientNetwork, tooManyMessage } from '../../src/web/address-limits.ts';

describe('the address a limit counts by', () => {
  it('when the address is IPv4, plain or IPv4-mapped, then it is the address itself', () => {
    expect(clientNetwork('198.51.100.7')).toBe('198.51.100.7');
    expect(clientNetwork('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(clientNetwork('::FFFF:198.51.100.7')).toBe('198.51.100.7');
  });

  it('when the address is IPv6, then it is its /64 network however it is written', () => {
    const network = '2001:db8:1:2::/64';
    for (const address of [
      '2001:db8:1:2::1',
      '2001:0db8:0001:0002:ffff:ffff:ffff:ffff',
      '2001:db8:1:2:aaaa::2',
      '2001:DB8:1:2::9%eth0',
    ])
      expect(clientNetwork(address)).toBe(network);
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('2001:db8:1:3::1')).not.toBe(network);
  });

  it('when the address is not an IP address, then it is counted as it is', () => {
    expect(clientNetwork('unknown')).toBe('unknown');
  });
});

describe('what a person reads over a limit', () => {
  it('when the wait is a minute or less, then it says a minute; otherwise the minutes, rounded up', () => {
    expect(tooManyMessage('requests', 1)).toBe(
      'Too many requests from your connection. Please wait a minute and try again.',
    );
    expect(tooManyMessage('linkVisits', 61)).toContain('Please wait 2 minutes and try again.');
  });

  it('when a form was refused, then it says the form was not sent and how to send it again', () => {
    expect(tooManyMessage('formPosts', 1800)).toBe(
      'Too many forms have been sent from your connection, so this one was not sent. Please wait 30 minutes, then go back to the form (your answers are usually still there) and send it again.',
    );
  });

  it('when the page is in Spanish, then the wait and the advice are in Spanish', () => {
    expect(tooManyMessage('requests', 30, 'es')).toBe(
      'Demasiadas solicitudes desde su conexión. Espere un minuto e inténtelo de nuevo.',
    );
    expect(tooManyMessage('formPosts', 1800, 'es')).toContain('Espere 30 minutos, vuelva al formulario');
  });
});
