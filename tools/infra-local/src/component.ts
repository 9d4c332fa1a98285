import type { PlatformConfig } from './config';

/** Everything a component needs to know about where it runs. */
export interface ComponentContext {
  readonly config: PlatformConfig;
  /** Absolute path of the project's ignored state folder (.platform). */
  readonly stateDir: string;
  /** Absolute path of the repository root. */
  readonly rootDir: string;
  /**
   * Folder this component owns inside the state folder (created by the supervisor). Installed
   * artifacts may live anywhere in it; data that `reset` wipes lives in `dataDir`.
   */
  readonly componentDir: string;
  /** `<componentDir>/data`: everything `platform reset` deletes. */
  readonly dataDir: string;
  /** Where the component's stdout/stderr go. */
  readonly logFile: string;
  /** Progress messages for the person running the CLI (stderr). */
  log(message: string): void;
}

/** How to start the long-running process. The supervisor spawns it detached, logs to logFile. */
export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Run as this OS user (PostgreSQL refuses to run as root). */
  readonly user?: { readonly uid: number; readonly gid: number };
}

export type ProbeResult = { readonly ready: true } | { readonly ready: false; readonly reason: string };

export interface ComponentPort {
  readonly name: string;
  readonly port: number;
}

/**
 * One piece of local infrastructure (PostgreSQL, Kafka, schema registry, PSP sandbox).
 * The supervisor drives every component through the same life cycle:
 * install (once, idempotent) → prepare (once per state folder) → spawn command → probe until
 * ready → afterStart (idempotent; e.g. roles, topics, global settings).
 */
export interface Component {
  readonly name: string;
  /** Components that must be ready before this one starts. */
  readonly dependsOn: readonly string[];
  /** Pinned version, shown by `status`. */
  version(ctx: ComponentContext): string;
  /** Ports the component listens on; checked free (or ours) before start. */
  ports(ctx: ComponentContext): readonly ComponentPort[];
  /** Download/build what is missing. Must be idempotent and cheap when already done. */
  install(ctx: ComponentContext): Promise<void>;
  /** One-time initialisation of the data folder (initdb, storage format). Idempotent. */
  prepare?(ctx: ComponentContext): Promise<void>;
  command(ctx: ComponentContext): ProcessSpec;
  /** Is it really serving (a real request, not a port check)? Never throws. */
  probe(ctx: ComponentContext): Promise<ProbeResult>;
  /** Idempotent set-up once ready (databases and roles, global registry config). */
  afterStart?(ctx: ComponentContext): Promise<void>;
  /**
   * What afterStart's work depends on besides the process itself (the topic catalogue, the list
   * of service databases), as a short string. The supervisor runs afterStart once per process it
   * started, and on a later `up` of the running process only when this changed. Absent: once.
   */
  setupKey?(ctx: ComponentContext): string;
  /** Seconds to wait for readiness before declaring failure. */
  readonly readinessTimeout_s: number;
  /** Seconds between the stop signal and SIGKILL. */
  readonly stopTimeout_s: number;
  /** Signal asking for a clean, prompt shutdown; SIGTERM when absent (PostgreSQL wants SIGINT). */
  readonly stopSignal?: NodeJS.Signals;
}
