// The newcomer figure: time from `npm ci` done (dist/ built by `prepare`, no .node-red-user/
// yet) to the editor answering on `npm start`, median of N runs. Each run starts `npm start`
// in its own process group on free ports, polls the editor, then sends SIGINT to the group as
// Ctrl-C in a terminal does, and checks that both the editor and the sandbox stopped listening.
//
//   node scripts/measure-start.js [runs=3]
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { freePort } = require('./free-port');

const root = path.join(__dirname, '..');
const runs = Number(process.argv[2] || 3);

async function answers(url) {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

async function once(i) {
  fs.rmSync(path.join(root, '.node-red-user'), { recursive: true, force: true });
  const [port, sandboxPort] = [await freePort(), await freePort()];
  const editor = `http://127.0.0.1:${port}/`;
  let out = '';
  const started = process.hrtime.bigint();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    detached: true,
    env: { ...process.env, PORT: String(port), ZOHO_SANDBOX_PORT: String(sandboxPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  let answered = 0;
  let ready = 0;
  const until = Date.now() + 120_000;
  while (!ready && Date.now() < until && child.exitCode === null) {
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    if (!answered && (await answers(editor))) answered = elapsed();
    if (answered && /Ctrl-C stops both/.test(out)) ready = elapsed();
    else await new Promise((r) => setTimeout(r, 50));
  }
  if (!ready) {
    process.kill(-child.pid, 'SIGKILL');
    throw new Error(`run ${i}: npm start never got ready:\n${out}`);
  }
  process.kill(-child.pid, 'SIGINT'); // what Ctrl-C does: the whole foreground group
  const stopT0 = Date.now();
  const code = await exited;
  const stopMs = Date.now() - stopT0;
  const stillUp = (await answers(editor)) || (await answers(`http://127.0.0.1:${sandboxPort}/`));
  const stopped = /Stopped Node-RED and the Zoho sandbox/.test(out);
  console.log(
    `run ${i}: editor answered ${(answered / 1000).toFixed(2)} s, connected + URL printed ` +
      `${(ready / 1000).toFixed(2)} s; Ctrl-C: npm ended (${code}) in ${stopMs} ms, ` +
      `${stillUp ? 'STILL LISTENING' : 'both ports closed'}${stopped ? '' : ', no stop line'}`,
  );
  if (stillUp || !stopped) process.exitCode = 1;
  return { answered, ready };
}

async function main() {
  const results = [];
  for (let i = 1; i <= runs; i++) results.push(await once(i));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const a = median(results.map((r) => r.answered)) / 1000;
  const r = median(results.map((x) => x.ready)) / 1000;
  console.log(`start.editor_answering_s ${a.toFixed(2)} s (median of ${runs})`);
  console.log(`start.ready_s ${r.toFixed(2)} s (median of ${runs}: connected, URL printed)`);
  fs.rmSync(path.join(root, '.node-red-user'), { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
