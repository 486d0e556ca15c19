import { availableParallelism } from 'node:os';
import type { Logger } from '@basin/platform';
import type { IClientOptions } from 'mqtt';
import { Emitter } from './emitter.js';
import { Replayer, type Batch } from './generation/batch.js';
import { Generator, provision, type GeneratorConfig, type Position, type PublishMode } from './generation/generator.js';
import { compileOutages } from './generation/outages.js';
import { WorkerGeneration } from './generation/worker-generation.js';
import { SimErrors } from './errors.js';
import { confirmedMeta, type Manifest } from './manifest.js';
import { Outbox, type FsyncPolicy } from './outbox.js';
import { loadRunState, saveRunState, type RunState } from './run-state.js';
import type { Scenario } from './scenario.js';
import { planLanes, type LanePlan } from './sending/lane-plan.js';
import type { ProtocolChoice } from './sending/lanes.js';
import { Sender, type ConfirmMode, type SenderOptions } from './sending/sender.js';
import type { SimStation } from './stations.js';

export type { PublishMode } from './generation/generator.js';
export type { ConfirmMode } from './sending/sender.js';

/** Stations generated per slice, and the time budget of one generation turn before it yields. */
const SLICE_STATIONS = 128;
const SLICE_MS = 2;
const SLICE_MAX_MS = 10;
/** Worker generation: station-ticks per request, and requests outstanding at once. */
const WORKER_BUDGET = 512;
const WORKER_AHEAD = 2;
const WORKER_FROM_STATIONS = 1000;
const WORKER_FROM_CORES = 4;

export interface EngineOptions {
  scenario: Scenario;
  seed: number;
  stations: SimStation[];
  intervalMs: number;
  /** Simulated start (epoch ms); aligned down to the interval. */
  start: number;
  /** Simulated end (epoch ms, exclusive); Infinity runs until stopped. */
  end: number;
  /** Simulated ms per wall ms; 'max' = backfill as fast as the broker acknowledges. */
  speed: number | 'max';
  mode: PublishMode;
  format: 'json' | 'senml';
  /** Station mode: number of MQTT connections, or one per station. */
  connections: number | 'per-station';
  clientId: string;
  mqtt?: { url: string; username?: string; password?: string; qos: 0 | 1 | 2; protocol: ProtocolChoice; mqttOptions?: IClientOptions };
  hj212?: { host: string; port: number; pw: string; awaitAnswer: boolean };
  outboxDir: string;
  fsync: FsyncPolicy;
  allowHostile: boolean;
  /** Publish a retained Station document for synthetic stations before their readings. */
  provision: boolean;
  /** Maximum messages in flight per connection. */
  window: number;
  /** Default 'commit' (MQTT only; HJ 212 confirms with its CN=9014 answer or the TCP write). */
  confirm?: ConfirmMode;
  /** Commit mode: a message whose confirmation has not come this long after its PUBACK is sent again (default 60 s). */
  confirmTimeoutMs?: number;
  /** Generation pauses while this many messages wait in the outbox. */
  highWater: number;
  /** While every connection is up, generation waits once this many messages are written but not yet sent (default 4 × window, at least 5000). */
  lead?: number;
  /**
   * 'worker': generation and encoding run on a worker thread, beside sending; 'inline': on the
   * sending thread, in bounded turns between its I/O; 'auto' (default): the worker from
   * WORKER_FROM_STATIONS stations on when the machine has WORKER_FROM_CORES cores or more.
   * Measured (`npm run bench -- sim --versus inline`) on a 2-core VM, the worker lost at every
   * station count: the sending thread, the broker and the worker compete for two cores, and
   * handing batches across threads costs CPU of its own.
   */
  generation?: 'worker' | 'inline' | 'auto';
  log: Logger;
}

export interface EngineStats {
  /** Readings handed to the outbox (published). */
  published: number;
  /** Readings confirmed (commit mode: committed by ingest; puback mode: acknowledged by the broker), each counted once. */
  acknowledged: number;
  /** Messages written to the outbox / acknowledged. */
  messages: number;
  messagesAcked: number;
  /** Payload bytes of the acknowledged messages that carry readings. */
  bytes: number;
  /** Messages waiting in the outbox (not yet confirmed). */
  buffered: number;
  /** Commit mode: messages the broker acknowledged that wait for ingest's confirmation. */
  awaitingCommit: number;
  /** Commit mode: messages sent again because their confirmation did not come in time. */
  resent: number;
  errors: number;
  /** Messages the broker refused (PUBACK reason >= 0x80): dead-lettered in OUTBOX/dead-letters.jsonl, not resent. */
  refused: number;
  disconnects: number;
  dropped: number;
  hostile: number;
  /** Simulated time of the next tick. */
  simTime: number;
  connected: number;
  lanes: number;
}

const zeroStats = (simTime: number, buffered: number): EngineStats => ({
  published: 0,
  acknowledged: 0,
  messages: 0,
  messagesAcked: 0,
  bytes: 0,
  buffered,
  awaitingCommit: 0,
  resent: 0,
  errors: 0,
  refused: 0,
  disconnects: 0,
  dropped: 0,
  hostile: 0,
  simTime,
  connected: 0,
  lanes: 0,
});

/**
 * The simulator's run: pure generation (generation/generator.ts) paced by the sender
 * (sending/sender.ts) through the disk outbox, the emitter between them, and the run state
 * (run-state.ts: simulated clock, sequence numbers, manifest) saved for a resume.
 */
export class Engine {
  readonly stats: EngineStats;
  private readonly outbox: Outbox;
  private readonly state: RunState;
  /** Exactly one of the two: generation on this thread or on the worker. */
  private readonly gen: Generator | null = null;
  private readonly worker: WorkerGeneration | null = null;
  private readonly replayer: Replayer;
  private readonly emitter: Emitter;
  private readonly sender: Sender;
  /** Generation position (ahead of the saved state's in gateway mode: a tick is saved whole). */
  private readonly pos: Position;
  /** Generation waits while this many messages are written but not yet sent (all lanes up). */
  private readonly lead: number;
  private readonly wall0 = Date.now();
  private readonly anchor: number;
  private waitingLead = false;
  private waitingDrain = false;
  private failed = false;
  private stopped = false;
  private finished = false;
  private genTimer: NodeJS.Timeout | null = null;
  private house: NodeJS.Timeout | null = null;
  private lastStateSave = 0;
  private stateSaveMs = 0;
  private resolveDone!: () => void;
  readonly done: Promise<void>;

  constructor(private readonly o: EngineOptions) {
    const t0 = o.start - (((o.start % o.intervalMs) + o.intervalMs) % o.intervalMs);
    const runKey = [o.scenario.name, o.seed, o.stations.length, o.intervalMs, o.mode, o.format].join('|');
    this.outbox = Outbox.open(o.outboxDir, { fsync: o.fsync });
    let resumed: boolean;
    try {
      ({ state: this.state, resumed } = loadRunState(o.outboxDir, runKey, t0));
    } catch (e) {
      this.outbox.close();
      throw e;
    }
    this.anchor = this.state.nextTick;
    this.pos = { tick: this.state.nextTick, cursor: this.state.stationCursor ?? 0 };
    this.stats = zeroStats(this.state.nextTick, this.outbox.backlog);
    this.done = new Promise((r) => (this.resolveDone = r));
    this.lead = o.lead ?? Math.max(5000, 4 * o.window);
    const plan = planLanes(o.mode, o.stations, o.connections, o.clientId);
    const config = this.generatorConfig(plan);
    const auto = o.stations.length >= WORKER_FROM_STATIONS && availableParallelism() >= WORKER_FROM_CORES;
    const inline = o.generation === 'inline' || ((o.generation ?? 'auto') === 'auto' && !auto);
    if (inline) this.gen = new Generator(config, { ...this.state.seq }, Date.now);
    else this.worker = new WorkerGeneration({ config, seq: { ...this.state.seq }, pos: { ...this.pos } }, (b) => this.onBatch(b), (e) => this.generationFailed(e));
    this.emitter = new Emitter(this.outbox, this.state, compileOutages(o.scenario, o.stations, o.seed, this.state.t0), this.stats);
    this.replayer = new Replayer(this.emitter);
    this.sender = new Sender(this.senderOptions(plan), this.outbox, this.stats, {
      left: (meta, bytes, refused) => this.left(meta, bytes, refused),
      pumped: () => this.resume(),
    });
    if (!resumed && o.provision) {
      provision(config, this.emitter);
      this.outbox.flush();
    }
    if (resumed) o.log.info({ nextTick: new Date(this.state.nextTick).toISOString(), backlog: this.outbox.backlog }, 'resuming from the outbox state');
  }

  private generatorConfig(plan: LanePlan): GeneratorConfig {
    const o = this.o;
    const hj212 = o.hj212 && { pw: o.hj212.pw, awaitAnswer: o.hj212.awaitAnswer };
    const { laneOfStation, laneOfGateway } = plan;
    return { scenario: o.scenario, seed: o.seed, stations: o.stations, intervalMs: o.intervalMs, t0: this.state.t0, mode: o.mode, format: o.format, hj212, allowHostile: o.allowHostile, laneOfStation, laneOfGateway };
  }

  private senderOptions(plan: LanePlan): SenderOptions {
    const o = this.o;
    const confirm = o.mode === 'hj212' ? 'puback' : (o.confirm ?? 'commit');
    const hj212 = o.mode === 'hj212' ? { host: o.hj212!.host, port: o.hj212!.port, awaitAnswer: o.hj212!.awaitAnswer } : undefined;
    return { plan, mqtt: o.mqtt, hj212, confirm, confirmTimeoutMs: o.confirmTimeoutMs ?? 60_000, window: o.window, outboxDir: o.outboxDir, log: o.log };
  }

  /** Start-up work before the run can go (the generation worker builds its generator). */
  async prepare(): Promise<void> {
    try {
      await this.worker?.ready;
    } catch (e) {
      await this.close();
      throw SimErrors.GENERATION_FAILED(e);
    }
  }

  /** Connect every lane (the first one must connect, or this rejects) and start generating. */
  async start(): Promise<void> {
    await this.prepare();
    try {
      await this.sender.connect();
    } catch (e) {
      await this.close();
      throw e;
    }
    this.house = setInterval(() => this.housekeeping(), 200);
    this.loop();
  }

  private housekeeping(): void {
    this.sender.housekeeping(Date.now());
    this.outbox.flush();
    this.stats.buffered = this.outbox.backlog;
    // Every second, or less often when the state is big (10,000 stations: tens of ms): at most ~2% of the time.
    if (Date.now() - this.lastStateSave > Math.max(1000, 50 * this.stateSaveMs)) this.saveState();
    this.sender.schedulePump();
    this.checkDone();
  }

  private saveState(): void {
    const t = performance.now();
    saveRunState(this.o.outboxDir, this.state);
    this.lastStateSave = Date.now();
    this.stateSaveMs = performance.now() - t;
  }

  /** The simulated time generation may reach now. */
  private limit(): number {
    if (this.o.speed === 'max') return this.o.end;
    const elapsed = Date.now() - this.wall0;
    const t = this.anchor + elapsed * this.o.speed;
    return this.o.speed === 1 ? Math.max(t, Date.now()) : t;
  }

  /** Generation waits: the outbox is full, or (every lane up) the sender has enough queued. */
  private blocked(): boolean {
    if (this.outbox.backlog >= this.o.highWater) return (this.waitingDrain = true);
    // Keeps generation interleaved with sending instead of racing ahead of it.
    if (this.sender.allUp && this.outbox.unsent >= this.lead) return (this.waitingLead = true);
    return false;
  }

  private loop = (): void => {
    this.genTimer = null;
    if (this.stopped || this.finished) return;
    if (this.worker) return this.requestMore(this.worker);
    const began = performance.now();
    let yielded = false;
    const limit = Math.min(this.limit(), this.o.end - 1);
    while (this.pos.tick <= limit && !this.blocked()) {
      this.gen!.generate(this.pos, SLICE_STATIONS, limit, this.emitter);
      this.savePosition();
      // Bounded turns: the PUBACKs that arrived meanwhile are processed (and refill the window)
      // between slices, instead of after a whole tick (10,000 stations: tens of ms).
      // While fewer than a window's worth of messages wait to be sent, generation is what the
      // sender waits for: it keeps the turn (up to SLICE_MAX_MS).
      const spent = performance.now() - began;
      if (spent > SLICE_MAX_MS || (spent > SLICE_MS && this.outbox.unsent >= this.o.window)) {
        yielded = true;
        break;
      }
    }
    this.afterTurn();
    if (this.pos.tick >= this.o.end || this.waitingDrain || this.waitingLead) return;
    if (yielded) setImmediate(this.loop);
    else this.wait();
  };

  /** Simulated time has not reached the next tick yet: go on when it has (paced runs). */
  private wait(): void {
    if (this.genTimer) return;
    const speed = this.o.speed === 'max' ? Infinity : this.o.speed;
    this.genTimer = setTimeout(this.loop, Math.max(5, Math.min(1000, (this.pos.tick - this.limit()) / speed)));
  }

  /** Worker generation: keep up to WORKER_AHEAD requests outstanding while generation may go on. */
  private requestMore(worker: WorkerGeneration): void {
    if (this.failed || this.pos.tick >= this.o.end) return;
    const limit = Math.min(this.limit(), this.o.end - 1);
    if (this.pos.tick > limit) {
      if (worker.pending === 0) this.wait();
      return;
    }
    while (worker.pending < WORKER_AHEAD && !this.blocked()) worker.request(WORKER_BUDGET, limit);
  }

  /** A run of messages from the worker: into the outbox, in order; then ask for more. */
  private onBatch(b: Batch): void {
    if (this.stopped) return;
    this.replayer.replay(b);
    this.pos.tick = b.pos.tick;
    this.pos.cursor = b.pos.cursor;
    this.savePosition();
    this.afterTurn();
    if (b.nums.length === 0) this.wait();
    else this.requestMore(this.worker!);
  }

  /** The worker failed (a bug): generation stops; what is in the outbox is still sent. */
  private generationFailed(e: Error): void {
    this.failed = true;
    this.stats.errors++;
    const err = SimErrors.GENERATION_FAILED(e);
    this.o.log.error({ err: err.message, code: err.code }, 'generation stopped');
  }

  /** The run state follows what is in the outbox (gateway mode: whole ticks, as batches are per tick). */
  private savePosition(): void {
    const whole = this.o.mode !== 'gateway' || this.pos.cursor === 0;
    this.state.nextTick = this.pos.tick;
    this.state.stationCursor = whole ? this.pos.cursor : 0;
  }

  /** After generating: write, send, and see whether the run is complete. */
  private afterTurn(): void {
    if (this.pos.tick >= this.o.end) this.emitter.releaseAll();
    this.stats.simTime = this.pos.tick;
    this.outbox.flush();
    this.stats.buffered = this.outbox.backlog;
    this.sender.pump();
    this.checkDone();
  }

  /** A message left the outbox: account for it. */
  private left(meta: string, bytes: number, refused: boolean): void {
    if (!refused) {
      this.stats.messagesAcked++;
      if (meta) this.stats.bytes += bytes;
      this.stats.acknowledged += confirmedMeta(this.state.manifest, meta);
    }
    this.resume();
    if (this.pos.tick >= this.o.end) this.checkDone();
  }

  /** Generation waits for the outbox to drain or the sender to catch up: go on when it has. */
  private resume(): void {
    if (this.waitingDrain && this.outbox.backlog < this.o.highWater / 2) {
      this.waitingDrain = false;
      setImmediate(this.loop);
    }
    if (this.waitingLead && this.outbox.unsent < this.lead / 2) {
      this.waitingLead = false;
      setImmediate(this.loop);
    }
  }

  private checkDone(): void {
    if (this.finished || this.pos.tick < this.o.end || this.emitter.held.size > 0 || this.outbox.backlog > 0) return;
    this.finished = true;
    this.resolveDone();
  }

  manifest(): Manifest {
    return this.state.manifest;
  }

  /** Stop generating; wait up to `drainMs` for in-flight messages; keep the rest in the outbox. */
  async stop(drainMs = 2000): Promise<void> {
    if (this.stopped) return;
    if (this.genTimer) clearTimeout(this.genTimer);
    const until = Date.now() + drainMs;
    while (this.outbox.inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    this.stopped = true;
    await this.close();
  }

  private async close(): Promise<void> {
    this.stopped = true;
    if (this.house) clearInterval(this.house);
    if (this.genTimer) clearTimeout(this.genTimer);
    // Whatever a gateway still holds stays in its held file; a restart sends it when the gateway is back.
    try {
      this.outbox.flush();
      this.saveState();
    } finally {
      this.outbox.close();
    }
    await Promise.all([this.sender.close(), this.worker?.close()]);
    this.stats.buffered = this.outbox.backlog;
  }
}
