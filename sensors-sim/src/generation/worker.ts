import { parentPort, workerData } from 'node:worker_threads';
import { BatchSink } from './batch.js';
import { Generator, type GeneratorConfig, type Position } from './generator.js';

/**
 * The generation worker thread: runs the Generator (values, faults, encoding: the CPU-bound part)
 * off the sending thread. Protocol (worker-generation.ts is the other side):
 *   in  workerData            { config, seq, pos }
 *   out { ready: true }       once the generator is built
 *   in  { budget, limit }     generate up to `budget` station-ticks, not beyond tick `limit`
 *   out Batch                 the messages in order (payload bytes transferred) and the new position
 */
export interface WorkerInit {
  config: GeneratorConfig;
  seq: Record<string, number>;
  pos: Position;
}

export interface WorkerRequest {
  budget: number;
  limit: number;
}

const port = parentPort!;
const init = workerData as WorkerInit;
const gen = new Generator(init.config, init.seq, Date.now);
const pos = init.pos;
const sink = new BatchSink();

port.on('message', (req: WorkerRequest) => {
  gen.generate(pos, req.budget, req.limit, sink);
  const batch = sink.take(pos);
  port.postMessage(batch, [batch.bytes.buffer as ArrayBuffer]);
});
port.postMessage({ ready: true });
