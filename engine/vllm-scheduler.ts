import type { MemoryFit } from "./memory";
import type { ModelConfig } from "./model-config";
import { engineStepSeconds, type ReplicaShape } from "./throughput";

/**
 * A step-level simulation of vLLM V1's scheduler (`Scheduler.schedule` in
 * vllm-project/vllm vllm/v1/core/sched/scheduler.py) on the step-time model
 * of throughput.ts. Each step has a token budget (max-num-batched-tokens);
 * running requests go first in arrival order, one token each when decoding
 * or a chunk of their prompt when still prefilling; then waiting requests
 * are admitted while the budget lasts, running stays under max-num-seqs and
 * the KV cache manager can allocate the blocks of the tokens scheduled
 * (`allocate_slots`). When a running request needs a block and none is free,
 * the last-admitted running request is preempted (`self.running.pop()`):
 * its blocks are freed, its computed tokens reset to 0 (recompute), and it
 * goes back to the front of the waiting queue; no new request is admitted in
 * a step that preempted. A step that completes a request's pending tokens
 * samples one output token. Decode-only batches are padded to the next
 * CUDA-graph capture size ({@link cudaGraphCaptureSizes}).
 *
 * Runs of identical decode-only steps (nothing to admit, nobody finishing,
 * no arrival, blocks enough) are advanced together, which keeps 1000
 * prompts to a few milliseconds.
 */

/** What bounds the scheduler: vLLM's flags and the KV cache the memory fit found. */
export interface SchedulerLimits {
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  /** KV cache blocks of the replica ("GPU KV cache size" / block size). */
  kvCacheBlocks: number;
  blockSize: number;
  /** Batch sizes vLLM captured CUDA graphs for, ascending. */
  cudaGraphCaptureSizes: number[];
}

/** One request as the benchmark client sends it. */
export interface SimRequest {
  /** Seconds after the start the client would send it (before any max-concurrency wait). */
  arrivalSeconds: number;
  inputTokens: number;
  outputTokens: number;
}

/** What `vllm bench serve` prints, from the simulation. */
export interface BenchmarkResult {
  completed: number;
  durationSeconds: number;
  outputTokensPerSecond: number;
  meanTtftMs: number;
  medianTtftMs: number;
  p99TtftMs: number;
  meanTpotMs: number;
  p99TpotMs: number;
  /** Preemptions by recompute over the run. */
  preemptions: number;
  /** Most requests running at once. */
  maxRunning: number;
  steps: number;
}

/**
 * CUDA-graph capture sizes vLLM picks by default: `[1, 2, 4] +
 * range(8, min(max + 1, 256), 8) + range(256, max + 1, 16)` with max =
 * min(2 x max-num-seqs, 512), capped by max-num-batched-tokens
 * (`VllmConfig._set_cudagraph_sizes`, vllm/config/vllm.py; the
 * `--max-cudagraph-capture-size` help in vllm/config/compilation.py).
 */
export function cudaGraphCaptureSizes(maxNumSeqs: number, maxNumBatchedTokens: number): number[] {
  const max = Math.min(maxNumSeqs * 2, 512, maxNumBatchedTokens);
  const sizes = [1, 2, 4].filter((s) => s <= max);
  for (let s = 8; s < Math.min(max + 1, 256); s += 8) sizes.push(s);
  for (let s = 256; s <= max; s += 16) sizes.push(s);
  return sizes;
}

/** The vLLM flags the scheduler's limits come from (a replica's resolved serving settings). */
export interface SchedulerFlags {
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  blockSize: number;
}

/** The scheduler's limits for a replica: vLLM's flags, its KV cache in blocks (64-token blocks for MLA, as vLLM picks), its CUDA-graph sizes. */
export function schedulerLimits(
  inputs: { model: ModelConfig; serving: SchedulerFlags },
  memory: MemoryFit,
): SchedulerLimits {
  const blockSize = inputs.model.architecture.mla ? 64 : inputs.serving.blockSize;
  return {
    maxNumSeqs: inputs.serving.maxNumSeqs,
    maxNumBatchedTokens: inputs.serving.maxNumBatchedTokens,
    kvCacheBlocks: Math.floor(memory.kvCacheTokens / blockSize),
    blockSize,
    cudaGraphCaptureSizes: cudaGraphCaptureSizes(inputs.serving.maxNumSeqs, inputs.serving.maxNumBatchedTokens),
  };
}

interface Live {
  req: SimRequest;
  prompt: number;
  output: number;
  sentSeconds: number;
  computed: number;
  generated: number;
  blocks: number;
  firstTokenSeconds: number;
  finishSeconds: number;
  /** Tokens scheduled for it in the step being built (valid for the requests of that step's batch). */
  n: number;
}

interface State {
  shape: ReplicaShape;
  limits: SchedulerLimits;
  now: number;
  freeBlocks: number;
  running: Live[];
  /** Preempted requests, the last preempted first (vLLM prepends them to the waiting queue). */
  resumed: Live[];
  /** Sent requests not yet admitted, in send order, from `waitingHead`. */
  waiting: Live[];
  waitingHead: number;
  done: Live[];
  preemptions: number;
  maxRunning: number;
  steps: number;
}

const pending = (r: Live) => r.prompt + r.generated - r.computed;
const peekWaiting = (st: State) => st.resumed[st.resumed.length - 1] ?? st.waiting[st.waitingHead];
function popWaiting(st: State): void {
  if (st.resumed.length) st.resumed.pop();
  else st.waitingHead++;
}

/** Allocates the blocks `n` more computed tokens need (`allocate_slots`); false when too few are free. */
function allocate(st: State, r: Live, n: number): boolean {
  const need = Math.ceil((r.computed + n) / st.limits.blockSize) - r.blocks;
  if (need > st.freeBlocks) return false;
  if (need > 0) {
    r.blocks += need;
    st.freeBlocks -= need;
  }
  return true;
}

function preempt(st: State, r: Live): void {
  st.freeBlocks += r.blocks;
  r.blocks = 0;
  r.computed = 0;
  st.resumed.push(r);
  st.preemptions++;
}

/**
 * One step's schedule: running first (preempting from the back when blocks
 * run out), then admissions. Each request of the batch carries its token
 * count in `n` (no pair objects: this loop runs for every step of every
 * simulated point).
 */
function schedule(st: State): Live[] {
  let budget = st.limits.maxNumBatchedTokens;
  const out: Live[] = [];
  let preempted = false;
  for (let i = 0; i < st.running.length && budget > 0; i++) {
    const r = st.running[i]!;
    const n = Math.min(pending(r), budget);
    let ok = allocate(st, r, n);
    while (!ok) {
      const victim = st.running.pop()!;
      preempt(st, victim);
      preempted = true;
      if (victim === r) break;
      ok = allocate(st, r, n);
    }
    if (!ok) break;
    r.n = n;
    out.push(r);
    budget -= n;
  }
  if (preempted) return out;
  for (let r = peekWaiting(st); r && budget > 0 && st.running.length < st.limits.maxNumSeqs; r = peekWaiting(st)) {
    const n = Math.min(pending(r), budget);
    if (!allocate(st, r, n)) break;
    popWaiting(st);
    st.running.push(r);
    r.n = n;
    out.push(r);
    budget -= n;
  }
  return out;
}

/** Seconds of a step, with a decode-only batch padded to its CUDA-graph size. */
function stepSeconds(st: State, scheduled: Live[], extraDecodeSteps = 0): number {
  let decodes = 0;
  let contextSum = 0;
  let prefill = 0;
  let pairs = 0;
  for (const r of scheduled) {
    const n = r.n;
    if (n === 1 && pending(r) === 1 && r.generated > 0) {
      decodes++;
      contextSum += r.computed + 1 + extraDecodeSteps;
    } else {
      prefill += n;
      pairs += n * r.computed + (n * n) / 2;
    }
  }
  const sizes = st.limits.cudaGraphCaptureSizes;
  const padded =
    prefill === 0 && decodes <= (sizes[sizes.length - 1] ?? 0) ? (sizes.find((s) => s >= decodes) ?? decodes) : decodes;
  return engineStepSeconds(st.shape, padded, contextSum, prefill, pairs);
}

/** Applies a step's tokens at the current time: a request whose pending tokens are all computed samples one token. */
function advance(st: State, scheduled: Live[]): void {
  let finished = false;
  for (const r of scheduled) {
    r.computed += r.n;
    if (pending(r) > 0) continue;
    r.generated++;
    if (r.generated === 1) r.firstTokenSeconds = st.now;
    if (r.generated >= r.output) {
      r.finishSeconds = st.now;
      st.freeBlocks += r.blocks;
      r.blocks = 0;
      finished = true;
    }
  }
  if (finished) {
    const still: Live[] = [];
    for (const r of st.running) (r.generated >= r.output ? st.done : still).push(r);
    st.running = still;
  }
}

/**
 * When every running request is decoding and none can be admitted, the
 * number of identical decode steps that can run before anything changes:
 * the first finish, the next arrival, or the blocks running out (0 when the
 * next step must run alone).
 */
function decodeRunLength(st: State, nextArrival: number): number {
  if (st.running.length === 0 || st.resumed.length) return 0;
  let k = Number.POSITIVE_INFINITY;
  for (const r of st.running) {
    if (pending(r) !== 1 || r.generated === 0) return 0;
    k = Math.min(k, r.output - r.generated);
  }
  const next = peekWaiting(st);
  const budget = st.limits.maxNumBatchedTokens - st.running.length;
  if (next && budget > 0 && st.running.length < st.limits.maxNumSeqs) {
    const need = Math.ceil(Math.min(pending(next), budget) / st.limits.blockSize);
    if (need <= st.freeBlocks) return 0;
  }
  if (Number.isFinite(nextArrival)) {
    for (const r of st.running) r.n = 1;
    const one = stepSeconds(st, st.running);
    k = Math.min(k, Math.max(1, Math.ceil((nextArrival - st.now) / one)));
  }
  if (blocksFor(st, k) <= st.freeBlocks) return k;
  let lo = 0;
  let hi = k;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (blocksFor(st, mid) <= st.freeBlocks) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Blocks the running batch needs for `steps` more decode tokens each. */
function blocksFor(st: State, steps: number): number {
  const size = st.limits.blockSize;
  let sum = 0;
  for (const r of st.running) sum += Math.ceil((r.computed + steps) / size) - r.blocks;
  return sum;
}

/** Runs `k` decode steps of the whole running batch at once (their step time at the middle context). */
function advanceDecodeRun(st: State, k: number): void {
  const scheduled = st.running;
  for (const r of scheduled) r.n = 1;
  const seconds = k * stepSeconds(st, scheduled, (k - 1) / 2);
  for (const r of st.running) allocate(st, r, k);
  for (const r of st.running) {
    r.computed += k - 1;
    r.generated += k - 1;
  }
  st.now += seconds;
  st.steps += k;
  advance(st, scheduled);
}

/** Sends the requests whose time has come, up to the client's max-concurrency. */
function sendArrived(st: State, queue: SimRequest[], next: { index: number }, maxConcurrency: number): void {
  while (next.index < queue.length && queue[next.index]!.arrivalSeconds <= st.now + 1e-12) {
    const inFlight = st.running.length + st.resumed.length + (st.waiting.length - st.waitingHead);
    if (inFlight >= maxConcurrency) return;
    st.waiting.push(newLive(queue[next.index++]!, st.now));
  }
}

/** One finished request of a run: when the client sent it, when its first token and its last came (seconds). */
export interface FinishedRequest {
  req: SimRequest;
  sentSeconds: number;
  firstTokenSeconds: number;
  finishSeconds: number;
  /** Output tokens it generated. */
  output: number;
}

/** A run of the scheduler: the requests in the order they finished, and the run's counters. */
export interface SchedulerRun {
  done: FinishedRequest[];
  preemptions: number;
  maxRunning: number;
  steps: number;
}

/**
 * Simulates `vllm bench serve` against one replica: `requests` in arrival
 * order, at most `maxConcurrency` in flight (the client's semaphore; TTFT
 * counts from the moment a request is sent), until every request finishes.
 */
export function simulateBenchmark(
  shape: ReplicaShape,
  limits: SchedulerLimits,
  requests: SimRequest[],
  maxConcurrency = Number.POSITIVE_INFINITY,
): BenchmarkResult {
  return summarize(runScheduler(shape, limits, requests, { maxConcurrency }));
}

/** How a run starts and when it stops (see {@link runScheduler}). */
export interface RunOptions {
  /** The client's limit on requests in flight (those already decoding count). */
  maxConcurrency?: number;
  /** Stop as soon as every request of this set has finished (the others may still be running). */
  stopWhenDone?: ReadonlySet<SimRequest>;
  /**
   * Requests already running at the start, their prompt computed and
   * `generated` (at least 1) output tokens sampled, so a run can start in a
   * steady state instead of a burst; admitted in order while their blocks fit.
   */
  decoding?: { req: SimRequest; generated: number }[];
}

/**
 * Runs the scheduler over `requests` (see {@link simulateBenchmark}) and
 * returns every finished request, in the order they finished.
 */
export function runScheduler(
  shape: ReplicaShape,
  limits: SchedulerLimits,
  requests: SimRequest[],
  options: RunOptions = {},
): SchedulerRun {
  const maxConcurrency = options.maxConcurrency ?? Number.POSITIVE_INFINITY;
  const queue = [...requests].sort((a, b) => a.arrivalSeconds - b.arrivalSeconds);
  const st: State = {
    shape,
    limits,
    now: 0,
    freeBlocks: limits.kvCacheBlocks,
    running: [],
    resumed: [],
    waiting: [],
    waitingHead: 0,
    done: [],
    preemptions: 0,
    maxRunning: 0,
    steps: 0,
  };
  for (const d of options.decoding ?? []) if (!startDecoding(st, d.req, d.generated)) break;
  const next = { index: 0 };
  const stopWhenDone = options.stopWhenDone;
  let awaited = stopWhenDone?.size ?? queue.length + st.running.length;
  while (awaited > 0) {
    const finishedBefore = st.done.length;
    step(st, queue, next, maxConcurrency);
    for (let i = finishedBefore; i < st.done.length; i++)
      if (!stopWhenDone || stopWhenDone.has(st.done[i]!.req)) awaited--;
  }
  return { done: st.done, preemptions: st.preemptions, maxRunning: st.maxRunning, steps: st.steps };
}

/** Puts a request in the running batch mid-decode (prompt computed, `generated` tokens out); false when its blocks do not fit. */
function startDecoding(st: State, req: SimRequest, generated: number): boolean {
  const r = newLive(req, 0);
  r.generated = Math.max(1, Math.min(generated, r.output - 1));
  if (!allocate(st, r, r.prompt + r.generated - 1)) return false;
  r.computed = r.prompt + r.generated - 1;
  st.running.push(r);
  return true;
}

function newLive(req: SimRequest, sentSeconds: number): Live {
  return {
    req,
    prompt: req.inputTokens,
    output: Math.max(1, req.outputTokens),
    sentSeconds,
    computed: 0,
    generated: 0,
    blocks: 0,
    firstTokenSeconds: 0,
    finishSeconds: 0,
    n: 0,
  };
}

/** One turn of the main loop: send what arrived, then one step or one run of identical decode steps. */
function step(st: State, queue: SimRequest[], next: { index: number }, maxConcurrency: number): void {
  sendArrived(st, queue, next, maxConcurrency);
  const idle = st.running.length === 0 && !peekWaiting(st);
  if (idle) {
    if (next.index >= queue.length) throw new Error("the scheduler stalled with requests outstanding");
    st.now = Math.max(st.now, queue[next.index]!.arrivalSeconds);
    return;
  }
  // A request held back by the client's max-concurrency is sent at a finish, which ends a decode run anyway.
  const inFlight = st.running.length + st.resumed.length + (st.waiting.length - st.waitingHead);
  const nextArrival =
    next.index < queue.length && inFlight < maxConcurrency
      ? Math.max(st.now, queue[next.index]!.arrivalSeconds)
      : Number.POSITIVE_INFINITY;
  const k = decodeRunLength(st, nextArrival);
  if (k > 1) {
    advanceDecodeRun(st, k);
    return;
  }
  const scheduled = schedule(st);
  if (scheduled.length === 0) throw new Error("a request needs more KV cache blocks than the replica has");
  st.maxRunning = Math.max(st.maxRunning, st.running.length);
  st.now += stepSeconds(st, scheduled);
  st.steps++;
  advance(st, scheduled);
}

function percentile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]! : 0;
}

function summarize(st: SchedulerRun): BenchmarkResult {
  const ttft = st.done.map((r) => (r.firstTokenSeconds - r.sentSeconds) * 1000).sort((a, b) => a - b);
  const tpot = st.done
    .filter((r) => r.output > 1)
    .map((r) => ((r.finishSeconds - r.firstTokenSeconds) / (r.output - 1)) * 1000)
    .sort((a, b) => a - b);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const duration = Math.max(...st.done.map((r) => r.finishSeconds));
  const outputTokens = st.done.reduce((sum, r) => sum + r.output, 0);
  return {
    completed: st.done.length,
    durationSeconds: duration,
    outputTokensPerSecond: duration > 0 ? outputTokens / duration : 0,
    meanTtftMs: mean(ttft),
    medianTtftMs: percentile(ttft, 0.5),
    p99TtftMs: percentile(ttft, 0.99),
    meanTpotMs: mean(tpot),
    p99TpotMs: percentile(tpot, 0.99),
    preemptions: st.preemptions,
    maxRunning: st.maxRunning,
    steps: st.steps,
  };
}
