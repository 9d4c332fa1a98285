import { PeriodicWork, type IterationOutcome } from './periodic-work';

const INTERVAL_MS = 1_000;

/** An iteration that answers from a script (then 'caught-up'), counting calls. */
function scripted(...answers: Array<IterationOutcome | Error>) {
  const calls = { count: 0 };
  const iteration = async (): Promise<IterationOutcome> => {
    const answer = answers[calls.count] ?? 'caught-up';
    calls.count += 1;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { calls, iteration };
}

function workWith(iteration: () => Promise<IterationOutcome>) {
  const warn = jest.fn();
  const work = new PeriodicWork({ interval_ms: INTERVAL_MS, iteration, logger: { warn } as never, failureMessage: 'sweep failed; next try after the interval' });
  return { work, warn };
}

describe('PeriodicWork', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs at once on start, then once per interval while each iteration catches up', async () => {
    const { calls, iteration } = scripted();
    const { work } = workWith(iteration);
    work.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls.count).toBe(1);
    await jest.advanceTimersByTimeAsync(INTERVAL_MS - 1);
    expect(calls.count).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls.count).toBe(2);
    await work.stop();
  });

  it('runs again at once while an iteration reports more due (a full batch)', async () => {
    const { calls, iteration } = scripted('more-due', 'more-due', 'caught-up');
    const { work } = workWith(iteration);
    work.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls.count).toBe(3);
    await work.stop();
  });

  it('logs a failed iteration with its error and waits one interval before the next', async () => {
    const { calls, iteration } = scripted(new TypeError('connection refused'), 'caught-up');
    const { work, warn } = workWith(iteration);
    work.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls.count).toBe(1);
    expect(warn).toHaveBeenCalledWith({ errorClass: 'TypeError', error: 'connection refused' }, 'sweep failed; next try after the interval');
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(calls.count).toBe(2);
    await work.stop();
  });

  it('wake() cuts a pause short, and a wake during an iteration skips the next pause', async () => {
    let release: (() => void) | undefined;
    let calls = 0;
    const { work } = workWith(async () => {
      calls += 1;
      if (calls === 2) await new Promise<void>((resolvePromise) => (release = resolvePromise));
      return 'caught-up';
    });
    work.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    work.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
    work.wake(); // while the second iteration is in flight
    release?.();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toBe(3);
    await jest.advanceTimersByTimeAsync(INTERVAL_MS - 1);
    expect(calls).toBe(3);
    await work.stop();
  });

  it('stop() ends a pause at once, waits for the iteration in flight, and nothing runs after it', async () => {
    let release: (() => void) | undefined;
    let finished = 0;
    let calls = 0;
    const { work } = workWith(async () => {
      calls += 1;
      if (calls === 2) await new Promise<void>((resolvePromise) => (release = resolvePromise));
      finished += 1;
      return 'caught-up';
    });
    work.start();
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(calls).toBe(2);
    let stopped = false;
    const stopping = work.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    release?.();
    await stopping;
    expect(finished).toBe(2);
    await jest.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(calls).toBe(2);

    const idle = scripted();
    const paused = workWith(idle.iteration).work;
    paused.start();
    await jest.advanceTimersByTimeAsync(0);
    await paused.stop(); // resolves without advancing the clock through the pause
    expect(jest.getTimerCount()).toBe(0);
  });

  it('start() twice runs one loop', async () => {
    const { calls, iteration } = scripted();
    const { work } = workWith(iteration);
    work.start();
    work.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls.count).toBe(1);
    await work.stop();
  });
});
