import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import type { ExtraHost, SandboxSpec } from './types.js';
import { USER_NETWORK } from './user-network.js';

/** The `--add-host` value that stands for the address at which the step reaches the host. */
export const HOST_GATEWAY = 'host-gateway';

/**
 * `--add-host HOST:IP` (or `HOST=IP`) as docker's CLI reads it: split at the first `=`, else
 * the first `:`, so an IPv6 address keeps its colons; `[…]` around it is allowed.
 */
export function parseExtraHost(value: string): ExtraHost {
  const sep = value.includes('=') ? value.indexOf('=') : value.indexOf(':');
  const host = sep < 0 ? '' : value.slice(0, sep);
  let ip = sep < 0 ? '' : value.slice(sep + 1);
  if (!host || !ip) throw new UsageError(`bad format for add-host: "${value}"; write --add-host HOST:IP`);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip !== HOST_GATEWAY && isIP(ip) === 0) {
    throw new UsageError(`invalid IP address in add-host: "${ip}"; give an IPv4 or IPv6 address or ${HOST_GATEWAY}`);
  }
  return { host, ip };
}

/** Whether the step asked to reach the host (which opens the host's loopback to it). */
export function wantsHostGateway(hosts: readonly ExtraHost[]): boolean {
  return hosts.some((h) => h.ip === HOST_GATEWAY);
}

/** `host-gateway` replaced by the address that reaches the host from the step's network. */
export function resolveExtraHosts(hosts: readonly ExtraHost[], network: SandboxSpec['network']): ExtraHost[] {
  const gateway = network === 'host' ? '127.0.0.1' : USER_NETWORK.gateway;
  return hosts.map((h) => (h.ip === HOST_GATEWAY ? { host: h.host, ip: gateway } : h));
}
