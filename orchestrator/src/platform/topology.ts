import { adminBaseUrl, type SutPorts } from '@observastack/sut-common/launcher/services.ts';
import type { OrchestratorEnv } from '../config.ts';
import type { StackTarget } from './stack-monitor.ts';

export interface Topology {
  /** Where the simulated users send shop traffic. */
  gatewayUrl: string;
  /** Each service's admin routes (/config, /config/schema, /metrics, /healthz, reset). */
  adminUrls: { gateway: string; api: string; inventory: string };
  /** What stack mode watches (empty in embedded mode: the supervisor owns the children). */
  targets: StackTarget[];
}

// A URL that fails fast and says why, for a service whose setting is missing (reported down by the monitor).
const unset = (envVar: string) => `http://${envVar.toLowerCase().replace(/_/g, '-')}.not-set.invalid`;
const trim = (u: string) => u.replace(/\/+$/, '');

/** Embedded: the children on 127.0.0.1 at the configured ports. Stack: the services at OBS_*_URL. */
export function resolveTopology(env: OrchestratorEnv, ports: SutPorts): Topology {
  if (env.OBS_MODE !== 'stack') {
    return {
      gatewayUrl: `http://127.0.0.1:${ports.gateway}`,
      adminUrls: {
        gateway: adminBaseUrl('gateway', ports),
        api: adminBaseUrl('api', ports),
        inventory: adminBaseUrl('inventory', ports),
      },
      targets: [],
    };
  }
  const url = (
    envVar:
      | 'OBS_GATEWAY_URL'
      | 'OBS_GATEWAY_ADMIN_URL'
      | 'OBS_API_URL'
      | 'OBS_INVENTORY_URL'
      | 'OBS_API_ADMIN_URL'
      | 'OBS_INVENTORY_ADMIN_URL',
  ) => (env[envVar] ? trim(env[envVar]) : null);
  const target = (
    name: string,
    envVar: 'OBS_GATEWAY_ADMIN_URL' | 'OBS_API_URL' | 'OBS_INVENTORY_URL',
  ): StackTarget => ({ name, envVar, healthUrl: url(envVar) ? `${url(envVar)}/healthz` : null });
  return {
    gatewayUrl: url('OBS_GATEWAY_URL') ?? unset('OBS_GATEWAY_URL'),
    adminUrls: {
      gateway: url('OBS_GATEWAY_ADMIN_URL') ?? unset('OBS_GATEWAY_ADMIN_URL'),
      // The admin threads answer /config and /metrics while a main thread burns CPU (cpu-regression's rollback);
      // without their URLs, the main threads' compatibility routes.
      api: url('OBS_API_ADMIN_URL') ?? url('OBS_API_URL') ?? unset('OBS_API_URL'),
      inventory: url('OBS_INVENTORY_ADMIN_URL') ?? url('OBS_INVENTORY_URL') ?? unset('OBS_INVENTORY_URL'),
    },
    // In dependency order, like the supervisor.
    targets: [
      target('inventory', 'OBS_INVENTORY_URL'),
      target('api', 'OBS_API_URL'),
      target('gateway', 'OBS_GATEWAY_ADMIN_URL'),
    ],
  };
}
