/**
 * The addresses a learner's browser uses to reach this platform when it is not on the learner's own machine:
 * `OBS_PUBLIC_URL` (comma-separated) plus what Gitpod and Codespaces tell a workspace about itself. Each is
 * reduced to its origin (`https://host[:port]`), the form browsers send in `Origin`.
 */
export interface PublicUrlEnv {
  OBS_PUBLIC_URL: string[];
  GITPOD_WORKSPACE_URL?: string;
  CODESPACE_NAME?: string;
  GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN?: string;
}

/** Gitpod serves port P of workspace `https://<id>.<cluster>` at `https://P-<id>.<cluster>`. */
export function gitpodUrl(workspaceUrl: string, port: number): string {
  const u = new URL(workspaceUrl);
  return `${u.protocol}//${port}-${u.host}`;
}

/** Codespaces serves port P of codespace N at `https://N-P.<port forwarding domain>`. */
export function codespacesUrl(name: string, domain: string, port: number): string {
  return `https://${name}-${port}.${domain}`;
}

/** Every public origin of the platform listening on `port`, without duplicates, in a stable order. */
export function publicOrigins(env: PublicUrlEnv, port: number): string[] {
  const urls = [...env.OBS_PUBLIC_URL];
  if (env.GITPOD_WORKSPACE_URL) urls.push(gitpodUrl(env.GITPOD_WORKSPACE_URL, port));
  if (env.CODESPACE_NAME && env.GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN) {
    urls.push(codespacesUrl(env.CODESPACE_NAME, env.GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN, port));
  }
  return [...new Set(urls.map((u) => new URL(u).origin))];
}
