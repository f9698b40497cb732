'use strict';
// The repo's nginx.conf (the one docker-compose mounts) rewritten to run without Docker: shared
// by `npm run cluster` (scripts/cluster.js) and the e2e tests (test/support/nginx.ts), so both
// run the real file. Plain CommonJS so the script needs no build step.
const { accessSync, constants, readFileSync, writeFileSync } = require('node:fs');
const { delimiter, join } = require('node:path');

const REPO_NGINX_CONF = join(__dirname, '..', 'nginx.conf');

/** The nginx binary: Debian puts it in /usr/sbin, which is not on every PATH. */
function findNginx() {
  const dirs = ['/usr/sbin', ...(process.env.PATH ?? '').split(delimiter).filter((dir) => dir.length > 0)];
  for (const dir of dirs) {
    const candidate = join(dir, 'nginx');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error('nginx is not installed: apt-get install -y nginx');
}

/**
 * nginx.conf rewritten to run from `dir`: listen on 127.0.0.1:<port>, proxy to the given local
 * backends, and keep pid, logs and temp files out of /var (nginx's compiled-in paths).
 */
function localNginxConf(template, port, backendPorts, dir) {
  let conf = replaceOne(template, /^[ \t]*listen 80;[ \t]*$/m, `        listen 127.0.0.1:${port};`, '`listen 80;`');
  conf = replaceOne(conf, /upstream relay_backend \{[^}]*\}/, (block) => withServers(block, backendPorts), '`upstream relay_backend { ... }`');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `    ${kind}_temp_path ${join(dir, `${kind}_temp`)};`)
    .join('\n');
  conf = replaceOne(conf, /^http \{$/m, `http {\n    access_log off;\n${temp}`, '`http {` on a line of its own');
  return `pid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'error.log')};\n${conf}`;
}

/**
 * Writes the local config into `dir` and returns how to run nginx in the foreground from it.
 * `-e`: even the log nginx opens before reading its config goes to `dir`, not /var/log/nginx.
 */
function prepareLocalNginx(port, backendPorts, dir) {
  const confPath = join(dir, 'nginx.conf');
  const errorLog = join(dir, 'error.log');
  writeFileSync(confPath, localNginxConf(readFileSync(REPO_NGINX_CONF, 'utf8'), port, backendPorts, dir));
  return { binary: findNginx(), args: ['-p', dir, '-e', errorLog, '-c', confPath, '-g', 'daemon off;'], confPath, errorLog };
}

/** The upstream block with its `server ...;` lines swapped for one line per local backend. */
function withServers(block, backendPorts) {
  const serverLine = /^[ \t]*server[ \t][^;\n]*;[^\n]*\n/gm;
  if (!block.match(serverLine)) throw new Error('nginx.conf: `upstream relay_backend` has no `server host:port;` line');
  const servers = backendPorts.map((backend) => `        server 127.0.0.1:${backend};\n`).join('');
  let first = true;
  return block.replace(serverLine, () => (first ? ((first = false), servers) : ''));
}

function replaceOne(text, pattern, replacement, what) {
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  const count = text.match(global)?.length ?? 0;
  if (count !== 1) throw new Error(`nginx.conf must contain exactly one ${what}; found ${count}`);
  return typeof replacement === 'string' ? text.replace(pattern, () => replacement) : text.replace(pattern, replacement);
}

module.exports = { REPO_NGINX_CONF, findNginx, localNginxConf, prepareLocalNginx };
