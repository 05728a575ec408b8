/**
 * The thread that renders mapping templates over large payloads (see template-pool.ts): one
 * request at a time, compiled templates cached by source as on the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { compileTemplate, TemplateRuntimeError } from '../mappings/vtl';
import { fromTransferable, toTransferable, type Transferable } from '../mappings/vtl/transfer';
import type { RenderJob, RenderOutcome } from './template-pool';

parentPort!.on('message', (job: RenderJob) => {
  let outcome: RenderOutcome;
  try {
    const context = fromTransferable(job.context) as Record<string, unknown>;
    const output = compileTemplate(job.source).render({
      body: Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength),
      params: job.params,
      context,
      stageVariables: job.stageVariables,
    });
    // Sent back as bytes whose memory moves to the main thread rather than being copied.
    const bytes = new Uint8Array(Buffer.byteLength(output, 'utf8'));
    Buffer.from(bytes.buffer).write(output, 'utf8');
    outcome = { id: job.id, output: bytes, context: toTransferable(context) as Transferable };
  } catch (e) {
    const kind = e instanceof TemplateRuntimeError ? e.kind : 'error';
    outcome = { id: job.id, error: { kind, message: (e as Error).message ?? String(e) } };
  }
  parentPort!.postMessage(outcome, 'output' in outcome ? [outcome.output.buffer as ArrayBuffer] : []);
});
