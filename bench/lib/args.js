'use strict';
/** Command-line options of `npm run bench`, with defaults sized to finish in a few minutes on 2 cores. */

const DEFAULTS = {
  scenario: 'idle,fanout,dm,persist',
  target: 'reference,relay',
  repeat: 1,
  connections: 5000, // idle: sockets, spread over --instances
  instances: 1, // idle: server instances
  members: 1000, // fanout: group size, spread over 2 instances
  rate: 10, // fanout: messages/s from the one sender (Relay falls behind near 16/s, see PERFORMANCE.md)
  pairs: 300, // dm: pairs over 3 instances
  dmRate: 300, // dm: total offered sends/s over all pairs
  sweepStart: 1000, // saturation: first dm rate of the sweep (doubled until Relay falls behind)
  senders: 50, // persist: closed-loop senders on one instance
  slow: 50, // slow: fanout members that stop reading (the rest of --members stay healthy)
  slowRate: 20, // slow: 60 KB messages/s to the slow members only, so their buffers fill in seconds
  duration: 10, // seconds of each measured window
  warmup: 15, // fanout, dm, persist: seconds of the same load before the measured window (see PERFORMANCE.md, Method)
  workers: 2, // client processes (at least 2)
  profile: false, // write Relay --cpu-prof profiles to bench/results/profiles
  allocProfile: false, // dm, persist: write what each Relay instance allocates in the window to bench/results/profiles
  relayMain: '', // Relay entry point; default dist/main.js of this checkout
};

const NUMERIC = new Set(['repeat', 'connections', 'instances', 'members', 'rate', 'pairs', 'dmRate', 'sweepStart', 'senders', 'slow', 'slowRate', 'duration', 'warmup', 'workers']);

function camel(flag) {
  return flag.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}

function parseArgs(argv) {
  const options = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [rawKey, inline] = arg.slice(2).split('=', 2);
    const key = camel(rawKey);
    if (key === 'help') return { help: true };
    if (!(key in DEFAULTS)) throw new Error(`unknown option --${rawKey}`);
    if (typeof DEFAULTS[key] === 'boolean') {
      options[key] = inline === undefined ? true : inline !== 'false';
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${rawKey} needs a value`);
    options[key] = NUMERIC.has(key) ? Number(value) : value;
    if (NUMERIC.has(key) && !(options[key] > 0 || (key === 'warmup' && options[key] === 0))) {
      throw new Error(`--${rawKey} must be a positive number${key === 'warmup' ? ' or 0' : ''}`);
    }
  }
  options.scenarios = options.scenario.split(',').map((s) => s.trim());
  options.targets = options.target.split(',').map((s) => s.trim());
  for (const s of options.scenarios) {
    if (!['idle', 'fanout', 'dm', 'persist', 'slow', 'saturation'].includes(s)) throw new Error(`unknown scenario ${s}`);
  }
  options.workers = Math.max(2, Math.floor(options.workers));
  return options;
}

const USAGE = `npm run bench -- [--scenario idle,fanout,dm,persist] [--target reference,relay] [--repeat 1]
  [--connections 5000] [--instances 1] [--members 1000] [--rate 10] [--pairs 300] [--dm-rate 300] [--senders 50]
  [--duration 10] [--warmup 15] [--workers 2] [--profile] [--alloc-profile] [--relay-main path/to/dist/main.js]
  --scenario slow (Relay only, not in the default list): fanout over --members at --rate, twice for --duration,
  without then with slow members: [--slow 50] members stop reading; [--slow-rate 20] 60 KB messages/s to them
  --scenario saturation (not in the default list; about 6 minutes a target): dm at rising rates from [--sweep-start 1000]
  until sends queue up, then 3 dm runs at half that rate; --repeat repeats all of it`;

module.exports = { parseArgs, USAGE, DEFAULTS };
