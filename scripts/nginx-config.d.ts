// Types for scripts/nginx-config.js, which stays plain JavaScript so `npm run cluster` needs no build.
export declare const REPO_NGINX_CONF: string;
export declare function findNginx(): string;
export declare function localNginxConf(template: string, port: number, backendPorts: number[], dir: string): string;
export declare function prepareLocalNginx(
  port: number,
  backendPorts: number[],
  dir: string,
): { binary: string; args: string[]; confPath: string; errorLog: string };
