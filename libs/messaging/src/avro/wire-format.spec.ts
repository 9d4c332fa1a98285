import fc from 'fast-check';
import { BadMagicByteError } from './errors';
import { readWireFrame, writeWireFrame } from './wire-format';

describe('Confluent wire format', () => {
  it('round-trips any schema id and payload', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.uint8Array({ maxLength: 64 }), (schemaId, bytes) => {
        const frame = readWireFrame(writeWireFrame(schemaId, Buffer.from(bytes)));
        expect(frame.schemaId).toBe(schemaId);
        expect([...frame.payload]).toEqual([...bytes]);
      }),
    );
  });

  it('refuses bytes that are not wire format with a typed error', () => {
    expect(() => readWireFrame(null)).toThrow(BadMagicByteError);
    expect(() => readWireFrame(Buffer.from([0, 0, 1]))).toThrow(/shorter than the 5-byte/);
    expect(() => readWireFrame(Buffer.from('{"json":true}'))).toThrow(/magic byte is 123/);
  });
});
