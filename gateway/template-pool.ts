/**
 * Rendering templates over large payloads off the event loop. A template over a 9 MB JSON body
 * with a million keys takes seconds of CPU (parsing into maps, walking, printing); on the main
 * thread that stalls every other request for as long. Payloads from OFF_THREAD_BYTES up render on
 * a worker thread instead, one at a time, whose heap is bounded: a render that needs more fails
 * as any template failure does (500), and the gateway process stays within its memory.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { TemplateRuntimeError, type TemplateRuntimeErrorKind } from '../mappings/vtl';
import type { InputParams } from '../mappings/vtl/input';
import { fromTransferable, toTransferable, type Transferable } from '../mappings/vtl/transfer';
import { workerScript } from '../lib/worker-script';

/**
 * Payloads of this size and more render on the worker. Measured here, rendering costs about
 * 2 µs per byte of JSON at worst (a million small keys), so smaller payloads stay well under the
 * ~100 ms a request may hold the event loop, and never pay the copy to the thread.
 */
export const OFF_THREAD_BYTES = 64 * 1024;

/**
 * The worker's old-generation heap. A 10 MB document with a million keys peaks near 85 MB while it
 * is parsed and printed (bench/results.md); 950,000 numeric keys, the most demanding document
 * measured within the 10 MB payload limit, render at this cap and not at 128 MB. The gateway
 * stays under 300 MB for the million keys.
 */
const WORKER_HEAP_MB = 160;

export interface RenderJob {
  id: number;
  source: string;
  body: Uint8Array;
  params: InputParams;
  context: Transferable;
  stageVariables: Record<string, string>;
}

export type RenderOutcome =
  | { id: number; output: Uint8Array; context: Transferable }
  | { id: number; error: { kind: TemplateRuntimeErrorKind; message: string } };

interface Pending {
  resolve(result: { output: Buffer; context: Record<string, unknown> }): void;
  reject(error: Error): void;
}

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

function startWorker(): Worker {
  const { script, eval: isCode } = workerScript(
    path.join(os.tmpdir(), 'apigw-ts-cache'),
    path.join(__dirname, 'template-worker'),
  );
  const started = new Worker(script, {
    eval: isCode,
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 8 },
  });
  started.on('message', (outcome: RenderOutcome) => {
    const waiter = pending.get(outcome.id);
    if (!waiter) return;
    pending.delete(outcome.id);
    if ('error' in outcome)
      waiter.reject(new TemplateRuntimeError(outcome.error.kind, outcome.error.message));
    else
      waiter.resolve({
        output: Buffer.from(outcome.output.buffer, outcome.output.byteOffset, outcome.output.byteLength),
        context: fromTransferable(outcome.context) as Record<string, unknown>,
      });
  });
  const fail = (reason: string) => {
    if (worker === started) worker = undefined;
    for (const waiter of pending.values()) waiter.reject(new TemplateRuntimeError('error', reason));
    pending.clear();
  };
  started.on('error', (e) => {
    const outOfMemory = (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    fail(
      outOfMemory
        ? `Template rendering needed more than ${WORKER_HEAP_MB} MB`
        : `Template failed: ${e.message}`,
    );
  });
  started.on('exit', () => fail('Template rendering stopped'));
  // An idle worker must not keep a process (or a test run) alive; in-flight requests do. After
  // the listeners: adding a 'message' listener refs the worker's port again.
  started.unref();
  return started;
}

/**
 * Renders `source` on the worker thread. `context` is the invocation's `$context`: the copy the
 * template wrote into (overrides, `#set($context…)`) comes back as `context`.
 */
export function renderOffThread(
  source: string,
  vars: {
    body: Buffer;
    params: InputParams;
    context: Record<string, unknown>;
    stageVariables: Record<string, string>;
  },
): Promise<{ output: Buffer; context: Record<string, unknown> }> {
  worker ??= startWorker();
  const id = nextId++;
  const job: RenderJob = {
    id,
    source,
    body: vars.body,
    params: vars.params,
    context: toTransferable(vars.context),
    stageVariables: vars.stageVariables,
  };
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker!.postMessage(job);
  });
}
