// ONNX Runtime's side of `make compare` and `make compare-layers`: a worker speaking ctnet_timer.cpp's
// protocol on stdin/stdout, plus `profile` (ONNX Runtime's own per-node profile).
//
//   NODE_PATH=build/compare/node_modules node ort_worker.js ONNX_DIR
//
// ONNX_DIR holds MODEL_bBATCH.onnx files (torch_worker.py --export-onnx writes them). Sessions use
// ONNX Runtime's best CPU set-up: every graph optimisation, the intra-op threads compare.py asks
// for (OMP_NUM_THREADS, default 2: this machine's cores), one inter-op thread (sequential
// execution). Timing goes through the public session.run(), as a user's program would call it.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const ort = require('onnxruntime-node');

const onnxDir = process.argv[2];
if (!onnxDir) {
  process.stderr.write('usage: node ort_worker.js ONNX_DIR\n');
  process.exit(2);
}

// compare.py --threads reaches every engine as OMP_NUM_THREADS.
const intraOpThreads = Number(process.env.OMP_NUM_THREADS || 2);
if (!Number.isInteger(intraOpThreads) || intraOpThreads < 1) {
  process.stderr.write(`ort_worker.js: OMP_NUM_THREADS=${process.env.OMP_NUM_THREADS} is not a thread count\n`);
  process.exit(2);
}

const sessionOptions = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  intraOpNumThreads: intraOpThreads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
};

const sessions = new Map();

// A simple deterministic normal sampler (Box-Muller on a 32-bit LCG): the input's values do not
// change the speed, but a fixed input keeps runs comparable.
function randomInput(count, seed) {
  const data = new Float32Array(count);
  let state = (seed * 2654435761) >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 1) / 4294967297;
  };
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const a = 2 * Math.PI * uniform();
    data[i] = r * Math.cos(a);
    if (i + 1 < count) data[i + 1] = r * Math.sin(a);
  }
  return data;
}

// A session's feeds: one fixed batch of the model's input shape.
function feedsFor(session, model, batch) {
  const [c, h, w] = model.startsWith('cifar') ? [3, 32, 32] : [3, 224, 224];
  const input = new ort.Tensor('float32', randomInput(batch * c * h * w, batch), [batch, c, h, w]);
  return { [session.inputNames[0]]: input };
}

async function prepared(model, batch) {
  const key = `${model}_b${batch}`;
  if (!sessions.has(key)) {
    const session = await ort.InferenceSession.create(path.join(onnxDir, `${key}.onnx`), sessionOptions);
    const feeds = feedsFor(session, model, batch);
    await session.run(feeds);  // the first runs allocate the arena and pick kernels
    await session.run(feeds);
    sessions.set(key, { session, feeds });
  }
  return sessions.get(key);
}

async function burst(model, batch, warmup, seconds, minIterations) {
  const { session, feeds } = await prepared(model, batch);
  for (let i = 0; i < warmup; ++i) await session.run(feeds);
  const times = [];
  const until = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  for (;;) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    const end = process.hrtime.bigint();
    times.push(Number(end - start) / 1e6);
    if (times.length >= minIterations && end >= until) return times;
  }
}

// ONNX Runtime's own profile of `passes` passes (make compare-layers): a separate session with the
// same options and its profiler on, so that the timed sessions above run without it. Answers, in
// the order the nodes first ran, each node's name, operator and kernel time of every pass (µs):
// the profiler's "<node>_kernel_time" events, written to a file that is read and removed here.
async function profile(model, batch, passes) {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ctnet-ort-profile-'));
  try {
    const session = await ort.InferenceSession.create(path.join(onnxDir, `${model}_b${batch}.onnx`), {
      ...sessionOptions,
      enableProfiling: true,
      profileFilePrefix: path.join(directory, 'profile'),
    });
    const feeds = feedsFor(session, model, batch);
    for (let i = 0; i < passes; ++i) await session.run(feeds);
    await session.endProfiling();
    await session.release();
    const files = fs.readdirSync(directory);
    if (files.length !== 1) throw new Error(`expected one profile file in ${directory}, found ${files.length}`);
    const nodes = new Map();
    for (const event of JSON.parse(fs.readFileSync(path.join(directory, files[0]), 'utf8'))) {
      if (event.cat !== 'Node' || !event.name.endsWith('_kernel_time')) continue;
      const name = event.name.slice(0, -'_kernel_time'.length);
      if (!nodes.has(name)) nodes.set(name, { name, op: (event.args && event.args.op_name) || '?', us: [] });
      nodes.get(name).us.push(event.dur);
    }
    return [...nodes.values()];
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

async function answer(words) {
  switch (words[0]) {
    case 'info':
      return `ok onnxruntime=${ort.env.versions.node} node=${process.versions.node} ` +
             `threads=${sessionOptions.intraOpNumThreads} interop=${sessionOptions.interOpNumThreads}`;
    case 'load':
      if (words.length !== 3) break;
      await prepared(words[1], Number(words[2]));
      return 'ok';
    case 'run': {
      if (words.length !== 6) break;
      const times = await burst(words[1], Number(words[2]), Number(words[3]), Number(words[4]), Number(words[5]));
      return 'ok ' + times.map((t) => t.toFixed(6)).join(' ');
    }
    case 'profile':
      if (words.length !== 4) break;
      return 'ok ' + JSON.stringify(await profile(words[1], Number(words[2]), Number(words[3])));
    default:
      break;
  }
  return 'error expected: run MODEL BATCH WARMUP SECONDS MIN_ITERATIONS | profile MODEL BATCH PASSES | ' +
         'load MODEL BATCH | info | quit';
}

async function serve() {
  // Commands are handled one at a time, in order: the for-await loop does not read the next line
  // until the current burst has answered.
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    if (words[0] === 'quit') break;
    let reply;
    try {
      reply = await answer(words);
    } catch (error) {
      reply = `error ${String(error && error.message ? error.message : error).replace(/\n/g, ' ')}`;
    }
    process.stdout.write(reply + '\n');
  }
  process.exit(0);
}

serve();
