import { randomUUID } from 'node:crypto';
import type { CustomerDataKeyIssued } from '@txn/contracts';
import { dataKeyAad, newDataKey, newMasterKeyLine, parseMasterKeyring, unwrapDataKey, wrapDataKey } from '@txn/personal-data';
import { waitFor } from '@txn/testing';
import { FLOW_TIMEOUT_MS, startGatewayInProcess, type GatewayInProcess } from './support';

// Master key rotation on the gateway in-process (real PostgreSQL, Kafka, registry): with a new key
// at the top of the keyring, a data key wrapped under the old one keeps unwrapping, is rewrapped
// under the new one and announced again (same key id), after which the old master key can go.

describe('api-gateway personal-data keys: master key rotation (in-process, real infrastructure)', () => {
  const OLD = newMasterKeyLine('k2026a');
  const NEW = newMasterKeyLine('k2026b');
  const ROTATED = parseMasterKeyring(`${NEW}\n${OLD}`);
  let gateway: GatewayInProcess;

  beforeAll(async () => {
    gateway = await startGatewayInProcess({ suiteName: 'gateway-key-rotation', read: ['customer.keys.v1'], settings: { personalDataKeyring: ROTATED, keyRewrapInterval_ms: 200 } });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('rewraps a data key left under the old master key, announces the new wrapping, and the key then unwraps without the old master key', async () => {
    const merchant = 'merchant-rotation';
    const customer = `cus_${randomUUID().slice(0, 8)}`;
    const keyId = randomUUID();
    const dataKey = newDataKey();
    const old = wrapDataKey(parseMasterKeyring(OLD), dataKey, dataKeyAad(merchant, customer, keyId));
    await gateway.pool.query('INSERT INTO customer_data_keys (merchant_id, customer_id, key_id, master_key_id, wrapped_key) VALUES ($1, $2, $3, $4, $5)', [merchant, customer, keyId, old.masterKeyId, old.wrapped]);

    const rewrapped = await waitFor('the key rewrapped', async () => {
      const [row] = (await gateway.pool.query<{ master_key_id: string; wrapped_key: string }>('SELECT master_key_id, wrapped_key FROM customer_data_keys WHERE key_id = $1', [keyId])).rows;
      return row?.master_key_id === 'k2026b' ? row : undefined;
    }, FLOW_TIMEOUT_MS);
    const newOnly = parseMasterKeyring(NEW);
    expect(unwrapDataKey(newOnly, { masterKeyId: rewrapped.master_key_id, wrapped: rewrapped.wrapped_key }, dataKeyAad(merchant, customer, keyId)).equals(dataKey)).toBe(true);

    const announced = await waitFor('the new wrapping on customer.keys.v1', () => gateway.seen.find((record) => record.eventType === 'CustomerDataKeyIssued' && record.value['keyId'] === keyId), FLOW_TIMEOUT_MS);
    const event = announced.value as unknown as CustomerDataKeyIssued;
    expect(event.masterKeyId).toBe('k2026b');
    expect(unwrapDataKey(newOnly, { masterKeyId: event.masterKeyId, wrapped: event.wrappedKey }, dataKeyAad(merchant, customer, keyId)).equals(dataKey)).toBe(true);
    expect(announced.key).toBe(`${merchant}:${customer}`);
  });
});
