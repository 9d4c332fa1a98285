import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@txn/testing';
import type { Component } from '../../src/component';
import { loadPlatformConfig, type PlatformConfig } from '../../src/config';
import { httpProbe } from '../../src/http-probe';
import { processStartTicks } from '../../src/process-record';
import { ComponentError, Supervisor } from '../../src/supervisor';

const HTTP_SERVER = (port: number, delay_ms = 0): string =>
  `setTimeout(() => require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1'), ${delay_ms})`;

/** A stand-in component: a tiny HTTP server, driven through the real supervisor. */
function fakeComponent(name: string, port: number, script: string, readinessTimeout_s = 10): Component {
  return {
    name,
    dependsOn: [],
    readinessTimeout_s,
    stopTimeout_s: 5,
    version: () => 'test',
    ports: () => [{ name: 'http', port }],
    install: async () => undefined,
    command: () => ({ command: process.execPath, args: ['-e', script] }),
    probe: () => httpProbe(`http://127.0.0.1:${port}/`, (s) => s === 200, 500),
  };
}

/** Running, not merely a zombie waiting for its parent (this Jest worker) to reap it. */
function isAlive(pid: number): boolean {
  return processStartTicks(pid) !== undefined;
}

describe('supervisor life cycle (real processes, stand-in components)', () => {
  let stateDir: string;
  let config: PlatformConfig;
  const foreign: ChildProcess[] = [];
  const quiet = (): void => undefined;

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'platform-supervisor-'));
    config = loadPlatformConfig({ PLATFORM_STATE_DIR: stateDir });
  });
  afterEach(async () => {
    foreign.splice(0).forEach((child) => child.kill('SIGKILL'));
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('reuses a running component on a second up, and stops it on down', async () => {
    const port = await freePort();
    const supervisor = new Supervisor(config, [fakeComponent('web', port, HTTP_SERVER(port))], quiet);
    expect(await supervisor.up()).toEqual(new Map([['web', 'started']]));
    const [first] = await supervisor.status();
    expect(first).toMatchObject({ state: 'up', ports: [{ name: 'http', port }] });
    expect(await supervisor.up()).toEqual(new Map([['web', 'reused']]));
    expect((await supervisor.status())[0]?.pid).toBe(first?.pid);
    await supervisor.down();
    expect((await supervisor.status())[0]?.state).toBe('down');
    expect(isAlive(first?.pid ?? -1)).toBe(false);
  });

  it('costs an already running component nothing but a probe: no install, prepare or set-up again, the same process; set-up again only when its inputs change', async () => {
    const [webPort, apiPort] = [await freePort(), await freePort()];
    const calls: string[] = [];
    let setupInputs = 'catalogue v1';
    const counted = (name: string, port: number, dependsOn: readonly string[]): Component => ({
      ...fakeComponent(name, port, HTTP_SERVER(port)),
      dependsOn,
      install: async () => void calls.push(`${name}:install`),
      prepare: async () => void calls.push(`${name}:prepare`),
      afterStart: async () => void calls.push(`${name}:afterStart`),
      setupKey: () => setupInputs,
    });
    const supervisor = new Supervisor(config, [counted('web', webPort, []), counted('api', apiPort, ['web'])], quiet);
    expect(await supervisor.up()).toEqual(new Map([['web', 'started'], ['api', 'started']]));
    expect(calls.splice(0)).toEqual(['web:install', 'web:prepare', 'web:afterStart', 'api:install', 'api:prepare', 'api:afterStart']);
    const pids = (await supervisor.status()).map((s) => s.pid);

    // Everything up: nothing is installed, prepared, set up or restarted.
    expect(await supervisor.up()).toEqual(new Map([['web', 'reused'], ['api', 'reused']]));
    expect(await supervisor.up(['api'])).toEqual(new Map([['web', 'reused'], ['api', 'reused']]));
    expect(calls).toEqual([]);
    expect((await supervisor.status()).map((s) => s.pid)).toEqual(pids);

    // What the set-up depends on changed (a topic added to the catalogue): set up again, same processes.
    setupInputs = 'catalogue v2';
    await supervisor.up();
    expect(calls.splice(0)).toEqual(['web:afterStart', 'api:afterStart']);
    expect((await supervisor.status()).map((s) => s.pid)).toEqual(pids);

    // One killed: only it is started again; its dependency stays as it is.
    process.kill(pids[1] ?? -1, 'SIGKILL');
    await waitFor('the killed process to be gone', async () => ((await supervisor.status())[1]?.state === 'down' ? true : undefined));
    expect(await supervisor.up(['api'])).toEqual(new Map([['web', 'reused'], ['api', 'started']]));
    expect(calls.splice(0)).toEqual(['api:install', 'api:prepare', 'api:afterStart']);
    expect((await supervisor.status())[0]?.pid).toBe(pids[0]);
    await supervisor.down();
  });

  it('starts a component again after it was killed with SIGKILL', async () => {
    const port = await freePort();
    const supervisor = new Supervisor(config, [fakeComponent('web', port, HTTP_SERVER(port))], quiet);
    await supervisor.up();
    const killed = (await supervisor.status())[0]?.pid ?? -1;
    process.kill(killed, 'SIGKILL');
    await waitFor('the killed process to be gone', async () => ((await supervisor.status())[0]?.state === 'down' ? true : undefined));
    expect(await supervisor.up()).toEqual(new Map([['web', 'started']]));
    const [after] = await supervisor.status();
    expect(after?.state).toBe('up');
    expect(after?.pid).not.toBe(killed);
    await supervisor.down();
  });

  it('refuses to start on a port another process holds, naming the port and the process', async () => {
    const port = await freePort();
    const squatter = spawn(process.execPath, ['-e', HTTP_SERVER(port)], { stdio: 'ignore' });
    foreign.push(squatter);
    await waitFor('the squatter to listen', async () => ((await httpProbe(`http://127.0.0.1:${port}/`, (s) => s === 200)).ready ? true : undefined));
    const supervisor = new Supervisor(config, [fakeComponent('web', port, HTTP_SERVER(port))], quiet);
    const failure = await supervisor.up().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ComponentError);
    expect((failure as Error).message).toContain(`port ${port} (http) is already taken by pid ${squatter.pid}`);
    expect((failure as Error).message).toContain(process.execPath);
    // down never touches a process it did not start.
    await supervisor.down();
    expect(isAlive(squatter.pid ?? -1)).toBe(true);
  });

  it('reports a component that dies during start-up with its log', async () => {
    const port = await freePort();
    const crashing = fakeComponent('crashy', port, "console.error('cannot open data folder'); process.exit(3)");
    const supervisor = new Supervisor(config, [crashing], quiet);
    const failure = (await supervisor.up().catch((error: unknown) => error)) as ComponentError;
    expect(failure).toBeInstanceOf(ComponentError);
    expect(failure.component).toBe('crashy');
    expect(failure.message).toMatch(/exited before it was ready[\s\S]*cannot open data folder/);
    expect(failure.logFile).toBe(join(stateDir, 'logs', 'crashy.log'));
  });

  it('gives up after the readiness timeout instead of waiting forever', async () => {
    const port = await freePort();
    const never = fakeComponent('slow', port, HTTP_SERVER(port, 60_000), 1);
    const supervisor = new Supervisor(config, [never], quiet);
    await expect(supervisor.up()).rejects.toThrow(/not ready after 1 s/);
    await supervisor.down();
  });
});
