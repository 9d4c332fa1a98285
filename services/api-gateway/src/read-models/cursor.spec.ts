import { decodeCursor, encodeCursor } from './cursor';

describe('page cursors', () => {
  it('round-trips the position of the last row', () => {
    const cursor = { at: new Date('2031-01-02T10:00:00.123Z'), id: '3f0c2a3e-1d4b-4e4a-9d55-3a0c1b2c3d4e' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each(['', 'not-base64!', Buffer.from('{"at":"yesterday","id":"x"}').toString('base64url'), Buffer.from('{"at":"2031-01-02T10:00:00Z"}').toString('base64url'), Buffer.from('[]').toString('base64url')])(
    'refuses %p as a validation problem naming /cursor',
    (text) => {
      expect(() => decodeCursor(text)).toThrow(expect.objectContaining({ problem: expect.objectContaining({ type: '/problems/validation-failed', errors: [expect.objectContaining({ pointer: '/cursor' })] }) }));
    },
  );
});
