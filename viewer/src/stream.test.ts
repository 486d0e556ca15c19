import { describe, expect, it } from 'vitest';
import { streamUrl } from './stream';

describe('stream URL', () => {
  it.each([
    ['anonymous, from now', null, null, 'api/stream?topics=alert'],
    ['with a ticket', 'stk_abc.1.x+y', null, 'api/stream?topics=alert&ticket=stk_abc.1.x%2By'],
    ['resuming after the last event', null, '42', 'api/stream?topics=alert&cursor=42'],
    ['a fresh ticket and the cursor', 'stk_a', '42', 'api/stream?topics=alert&ticket=stk_a&cursor=42'],
  ])('%s', (_name, ticket, cursor, want) => {
    expect(streamUrl('api/stream?topics=alert', ticket, cursor)).toBe(want);
  });

  it('starts the query string when the base has none', () => {
    expect(streamUrl('api/stream', 't', null)).toBe('api/stream?ticket=t');
  });
});
