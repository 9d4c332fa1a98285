import { buildSchemaSet, type SchemaSource } from './schema-set';

const envelope: SchemaSource = {
  path: 'schemas/avro/common/Envelope.avsc',
  text: JSON.stringify({ type: 'record', name: 'Envelope', namespace: 'txn.common', fields: [{ name: 'eventId', type: 'string' }] }),
};
const money: SchemaSource = {
  path: 'schemas/avro/common/Money.avsc',
  text: JSON.stringify({ type: 'record', name: 'Money', namespace: 'txn.common', fields: [{ name: 'amountMinor', type: 'long' }, { name: 'currency', type: 'string' }] }),
};

function event(name: string, fields: object[], extra: object = {}): SchemaSource {
  const schema = {
    type: 'record',
    name,
    namespace: 'txn.payment',
    doc: `${name} happened.`,
    'x-topic': 'payment.events.v1',
    fields: [{ name: 'envelope', type: 'txn.common.Envelope' }, ...fields],
    ...extra,
  };
  return { path: `schemas/avro/payment/${name}.avsc`, text: JSON.stringify(schema) };
}

const topics = { knownTopics: ['payment.events.v1'] };

function problemsOf(sources: SchemaSource[]): readonly string[] {
  const result = buildSchemaSet([envelope, money, ...sources], topics);
  return result.ok ? [] : result.problems;
}

describe('schema set: validation and self-contained schemas', () => {
  it('inlines each named type once, where first used, and keeps custom attributes', () => {
    const result = buildSchemaSet(
      [envelope, money, event('PaymentCaptured', [{ name: 'amount', type: 'txn.common.Money' }, { name: 'fee', type: 'txn.common.Money' }, { name: 'email', type: 'string', 'x-sensitive': true }])],
      topics,
    );
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const [captured] = result.set.events;
    expect(captured?.subject).toBe('payment.events.v1-txn.payment.PaymentCaptured');
    expect(captured?.sensitiveFields).toEqual(['email']);
    const fields = captured?.schema.fields as { name: string; type: unknown }[];
    expect(fields[0]?.type).toMatchObject({ type: 'record', name: 'Envelope', namespace: 'txn.common' });
    expect(fields[1]?.type).toMatchObject({ type: 'record', name: 'Money', namespace: 'txn.common' });
    expect(fields[2]?.type).toBe('txn.common.Money');
    expect(captured?.schema['x-topic']).toBe('payment.events.v1');
  });

  it('names every broken rule at once, with the file', () => {
    const problems = problemsOf([
      event('NoEnvelope', [], { fields: [{ name: 'amount', type: 'txn.common.Money' }] }),
      event('UnknownTopic', [], { 'x-topic': 'payments.v9' }),
      event('FloatAmount', [{ name: 'amount', type: 'double' }]),
      event('BadUnion', [{ name: 'note', type: ['string', 'null'], default: 'x' }]),
      event('Dangling', [{ name: 'fee', type: 'txn.common.Fee' }]),
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^schemas\/avro\/payment\/NoEnvelope\.avsc: the first field must be/),
        expect.stringMatching(/UnknownTopic\.avsc: topic "payments\.v9" is not in deploy\/kafka-topics\.json/),
        expect.stringMatching(/FloatAmount\.avsc: txn\.payment\.FloatAmount\.amount is a double/),
        expect.stringMatching(/BadUnion\.avsc: txn\.payment\.BadUnion\.note is a union; only \["null", T\]/),
        expect.stringMatching(/Dangling\.avsc: refers to txn\.common\.Fee/),
      ]),
    );
  });

  it('refuses a named type defined twice and a file whose namespace does not match its folder', () => {
    const duplicate: SchemaSource = { path: 'schemas/avro/common/Money2.avsc', text: money.text };
    expect(problemsOf([duplicate])).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Money2\.avsc: txn\.common\.Money is already defined in schemas\/avro\/common\/Money\.avsc/),
        expect.stringMatching(/Money2\.avsc: the file must be named after its type/),
      ]),
    );
    const misplaced: SchemaSource = { path: 'schemas/avro/ledger/Money.avsc', text: money.text };
    expect(problemsOf([misplaced])).toEqual(expect.arrayContaining([expect.stringMatching(/ledger\/Money\.avsc: namespace must be "txn\.ledger"/)]));
  });

  it('gives the same result whatever order the files come in', () => {
    const sources = [envelope, money, event('A', []), event('B', [{ name: 'm', type: 'txn.common.Money' }])];
    expect(JSON.stringify(buildSchemaSet(sources, topics))).toBe(JSON.stringify(buildSchemaSet([...sources].reverse(), topics)));
  });
});
