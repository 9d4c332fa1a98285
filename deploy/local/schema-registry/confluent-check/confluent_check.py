"""Independent check of Confluent compatibility, with Confluent's own Python client.

Used by tools/infra-local/test/integration/schema-registry.int-spec.ts: if our encoder or the
registry deviated from Confluent's wire format or REST API, Confluent's client would notice.

  consume  read COUNT messages from TOPIC (from the beginning) and decode them with AvroDeserializer
  produce  encode one JSON value with AvroSerializer (schema looked up by content, never
           registered) and produce it to TOPIC

Each result is printed as one line `RESULT <json>`; anything else on stdout/stderr is diagnostics.
"""

import argparse
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

POLL_INTERVAL_S = 0.2


def registry_client(url: str) -> SchemaRegistryClient:
    # Bounded: a local registry answers at once or is broken.
    return SchemaRegistryClient({"url": url, "timeout": 5, "max.retries": 1})


def consume(args: argparse.Namespace) -> None:
    deserializer = AvroDeserializer(registry_client(args.registry))
    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap,
            "group.id": args.group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 10_000,
        }
    )
    consumer.subscribe([args.topic])
    deadline = time.monotonic() + args.timeout_s
    seen = 0
    try:
        while seen < args.count:
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out after {args.timeout_s} s with {seen} of {args.count} messages")
            message = consumer.poll(POLL_INTERVAL_S)
            if message is None:
                continue
            if message.error() is not None:
                raise KafkaException(message.error())
            raw = message.value()
            value = deserializer(raw, SerializationContext(args.topic, MessageField.VALUE))
            schema_id = int.from_bytes(raw[1:5], "big")
            print("RESULT " + json.dumps({"offset": message.offset(), "schemaId": schema_id, "value": value}), flush=True)
            seen += 1
    finally:
        consumer.close()


def produce(args: argparse.Namespace) -> None:
    serializer = AvroSerializer(
        registry_client(args.registry),
        args.schema,
        # The services register contracts explicitly; a serializer must only find them.
        conf={"auto.register.schemas": False, "use.latest.version": False},
    )
    producer = Producer({"bootstrap.servers": args.bootstrap, "acks": "all", "enable.idempotence": True})
    payload = serializer(json.loads(args.value), SerializationContext(args.topic, MessageField.VALUE))
    errors = []
    producer.produce(args.topic, key=args.key, value=payload, on_delivery=lambda error, _msg: errors.append(error))
    remaining = producer.flush(args.timeout_s)
    if remaining > 0 or errors != [None]:
        raise SystemExit(f"delivery failed: remaining={remaining} errors={errors}")
    print("RESULT " + json.dumps({"schemaId": int.from_bytes(payload[1:5], "big"), "bytes": payload.hex()}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True, help="Confluent-compatible base URL")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--timeout-s", type=float, default=20.0)
    commands = parser.add_subparsers(dest="command", required=True)
    consume_parser = commands.add_parser("consume")
    consume_parser.add_argument("--group", required=True)
    consume_parser.add_argument("--count", type=int, required=True)
    produce_parser = commands.add_parser("produce")
    produce_parser.add_argument("--schema", required=True, help="Avro schema as JSON text")
    produce_parser.add_argument("--key", required=True)
    produce_parser.add_argument("--value", required=True, help="the record as JSON")
    args = parser.parse_args()
    if args.command == "consume":
        consume(args)
    else:
        produce(args)


if __name__ == "__main__":
    try:
        main()
    except KafkaException as error:
        print(f"kafka error: {error}", file=sys.stderr)
        sys.exit(1)
