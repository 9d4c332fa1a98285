import { BadMagicByteError } from './errors';

/**
 * Confluent wire format: magic byte 0, the writer's schema id as a 4-byte big-endian integer,
 * then the Avro binary encoding of the value.
 */
const MAGIC_BYTE = 0;
const HEADER_LENGTH_BYTES = 5;

export interface WireFrame {
  readonly schemaId: number;
  readonly payload: Buffer;
}

export function readWireFrame(buffer: Buffer | null): WireFrame {
  if (buffer === null) throw new BadMagicByteError('the record has no value (tombstone): not Confluent wire format');
  if (buffer.length < HEADER_LENGTH_BYTES) {
    throw new BadMagicByteError(`the value is ${buffer.length} bytes, shorter than the ${HEADER_LENGTH_BYTES}-byte Confluent header`);
  }
  if (buffer[0] !== MAGIC_BYTE) {
    throw new BadMagicByteError(`magic byte is ${buffer[0]}, expected ${MAGIC_BYTE}: not Confluent wire format`);
  }
  return { schemaId: buffer.readInt32BE(1), payload: buffer.subarray(HEADER_LENGTH_BYTES) };
}

export function writeWireFrame(schemaId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_LENGTH_BYTES);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
}
