import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface RunningProxy {
  /** The port nginx listens on (127.0.0.1, TLS). */
  port: number;
  dir: string;
  stop(): Promise<void>;
}

const nginxBin = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

/**
 * Debian's nginx as a TLS-terminating reverse proxy in front of the platform, adding X-Forwarded-For/-Proto/
 * -Host as Gitpod's and Codespaces' proxies do. Everything lives in a temporary folder (config, self-signed
 * certificate for `publicHost`, pid, logs, buffers); it listens on 127.0.0.1 only, runs in the foreground as
 * one process (`daemon off; master_process off;`: no workers switching to another user) and is stopped by stop().
 */
export async function startProxy(publicHost: string, upstreamPort: number): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'observastack-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-subj',
      `/CN=${publicHost}`,
      '-addext',
      `subjectAltName=DNS:${publicHost}`,
    ],
    { stdio: 'ignore' },
  );
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${port} ssl;
    server_name ${publicHost};
    ssl_certificate ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    location / {
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_bind 127.0.0.1;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffering off;
      proxy_read_timeout 600s;
    }
  }
}
`,
  );
  const child: ChildProcess = spawn(
    nginxBin,
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off; master_process off;'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(
      async () => (await getThrough(port, publicHost, '/api/health')).status === 200,
      20_000,
      () => `nginx did not proxy /api/health within 20 s: ${readLog(dir)}`,
      () => child.exitCode !== null,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, dir, stop };
}

/** One HTTPS request to the proxy as a browser on `publicHost` would send it (the test's own certificate is accepted). */
export function getThrough(
  port: number,
  publicHost: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; json: any; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername: publicHost,
        rejectUnauthorized: false,
        path,
        method: opts.method ?? 'GET',
        headers: { host: publicHost, ...(opts.body ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      },
      (res) => {
        let text = '';
        res
          .setEncoding('utf8')
          .on('data', (d) => (text += d))
          .on('end', () => {
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode!, json, text });
          });
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject).end(opts.body);
  });
}

async function waitUntil(
  ok: () => Promise<boolean>,
  ms: number,
  why: () => string,
  dead: () => boolean,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (dead()) throw new Error(`nginx exited: ${why()}`);
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(why());
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'error.log'), 'utf8').slice(-2000);
  } catch {
    return '(no error log)';
  }
}
