import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, type MicroserviceOptions } from '@nestjs/microservices';
import type { Pool } from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { ConsumerTransport } from '@txn/messaging';
import { HandlerRegistrationError, InboxTransport } from './inbox-transport';

// listen() checks the app's handlers before it touches Kafka or PostgreSQL: these apps never connect.

@Controller()
class TypoHandler {
  @EventPattern('BookingHold')
  onHold(): string {
    return 'applied';
  }
}

@Controller()
class RequestResponseHandler {
  @MessagePattern('BookingHeld')
  onHeld(): string {
    return 'applied';
  }
}

@Controller()
class FirstHandler {
  @EventPattern('BookingHeld')
  onHeld(): string {
    return 'applied';
  }
}

@Controller()
class SecondHandler {
  @EventPattern('BookingHeld')
  onHeldToo(): string {
    return 'applied';
  }
}

const unusedTransport: ConsumerTransport = {
  ensureTopics: () => Promise.reject(new Error('not in this test')),
  publishRaw: () => Promise.reject(new Error('not in this test')),
  run: () => Promise.reject(new Error('not in this test')),
  stop: () => Promise.resolve(),
};

async function listenWith(controllers: (new () => object)[]): Promise<unknown> {
  @Module({ controllers })
  class AppModule {}
  const strategy = new InboxTransport({
    consumerGroup: 'unit',
    topics: ['unit'],
    pool: {} as Pool,
    codec: { decode: () => Promise.reject(new Error('not in this test')) },
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    transport: unusedTransport,
  });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(AppModule, { strategy, logger: false });
  try {
    await app.listen();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await app.close();
  }
}

describe('InboxTransport handler registration', () => {
  it('refuses a pattern that names no contract event type', async () => {
    const error = await listenWith([TypoHandler]);
    expect(error).toBeInstanceOf(HandlerRegistrationError);
    expect((error as Error).message).toContain("'BookingHold'");
  });

  it('refuses a request-response @MessagePattern', async () => {
    expect(await listenWith([RequestResponseHandler])).toBeInstanceOf(HandlerRegistrationError);
  });

  it('refuses two handlers of one event type (one message, one outcome)', async () => {
    expect(await listenWith([FirstHandler, SecondHandler])).toBeInstanceOf(HandlerRegistrationError);
  });
});
