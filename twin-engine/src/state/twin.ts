import { EventEmitter } from 'node:events';
import { loadStations, type DatabaseSettings, type Db, type Logger } from '@basin/platform';
import { BasinModel, DEFAULT_CELERITY, type CelerityTable } from '../model/network.js';
import type { Clock } from './clock.js';
import { CHANNELS, listen, type Channel, type Listener } from './feed.js';
import { LatestJson } from './latest-json.js';
import { LiveState, type StateEvent, type StateReading } from './live.js';
import { deviceStations, loadDevices, loadNotified, loadRecent } from './store.js';

export interface TwinStateOptions {
  staleMs: number;
  historyMs: number;
  celerity?: CelerityTable;
}

export type TwinEvent = StateEvent | { type: 'model'; stations: number } | { type: 'forecast'; id: string };

/**
 * The twin's live state and basin model, kept current from the database: rebuilt at start from
 * latest_readings and the trend window of readings, then fed by LISTEN/NOTIFY (committed readings,
 * station registry changes, device birth / last will). Subscribe for state changes; rules and
 * forecasts build on `live`, `model` and the events.
 */
export class TwinState {
  model: BasinModel;
  readonly live: LiveState;
  /** The latest readings as the API's JSON text, from `live`. */
  readonly latest: LatestJson;
  private readonly events = new EventEmitter();
  private listener: Listener | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  /** Notifications applied (for tests and metrics). */
  applied = 0;

  constructor(
    private readonly db: Db,
    private readonly settings: DatabaseSettings,
    readonly clock: Clock,
    private readonly opts: TwinStateOptions,
    private readonly log: Logger,
  ) {
    this.model = new BasinModel([], opts.celerity ?? DEFAULT_CELERITY);
    this.live = new LiveState(clock, { staleMs: opts.staleMs, historyMs: opts.historyMs });
    this.latest = new LatestJson(this.live);
    this.live.subscribe((e) => this.events.emit('event', e));
  }

  /** True while database notifications reach the live state (readiness). */
  get listening(): boolean {
    return this.listener?.connected() ?? false;
  }

  subscribe(fn: (e: TwinEvent) => void): () => void {
    this.events.on('event', fn);
    return () => this.events.off('event', fn);
  }

  /** Listen first, then rebuild: nothing committed in between is lost (applying is idempotent). */
  async start(): Promise<void> {
    this.listener = await listen(this.db, this.settings, (ch, p) => this.onNotify(ch, p), { log: this.log, onReconnect: () => this.enqueue(() => this.rebuild()) });
    await this.enqueue(() => this.rebuild());
  }

  async stop(): Promise<void> {
    await this.listener?.close();
    this.listener = null;
    await this.chain.catch(() => undefined);
    this.live.stop();
  }

  /** Wait until every notification received so far is applied. */
  async settled(): Promise<void> {
    await this.chain.catch(() => undefined);
  }

  async reloadModel(): Promise<void> {
    const stations = await loadStations(this.db);
    this.model = new BasinModel(stations, this.opts.celerity ?? DEFAULT_CELERITY);
    this.events.emit('event', { type: 'model', stations: stations.length } satisfies TwinEvent);
  }

  async rebuild(): Promise<void> {
    await this.reloadModel();
    this.live.apply(await loadRecent(this.db, this.opts.historyMs), false);
    for (const d of await loadDevices(this.db)) this.live.applyDevice(d.stations, d.state, d.since, false);
  }

  /** Apply readings directly (in-process producers, tests); the database feed does this itself. */
  apply(readings: readonly StateReading[]): StateReading[] {
    return this.live.apply(readings);
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch((err: unknown) => this.log.error({ err }, 'twin state update failed'));
    return next;
  }

  private onNotify(channel: Channel, payload: string): void {
    if (channel === CHANNELS.forecasts) {
      this.events.emit('event', { type: 'forecast', id: payload } satisfies TwinEvent);
      return;
    }
    void this.enqueue(async () => {
      if (channel === CHANNELS.readings) {
        const n = JSON.parse(payload) as { s: string[] | null; from: number; to: number };
        this.live.apply(await loadNotified(this.db, n));
      } else if (channel === CHANNELS.stations) {
        await this.reloadModel();
      } else if (channel === CHANNELS.devices) {
        const d = JSON.parse(payload) as { client: string; kind: string; state: 'online' | 'offline'; since: number; stations: unknown; truncated?: boolean };
        if (d.truncated) for (const x of await loadDevices(this.db)) this.live.applyDevice(x.stations, x.state, x.since);
        else this.live.applyDevice(deviceStations(d), d.state, d.since);
      }
      this.applied++;
    });
  }
}
