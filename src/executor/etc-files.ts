import { readFileSync } from 'node:fs';
import type { ExtraHost } from './types.js';

/**
 * /etc/hosts as BuildKit writes it: loopback names plus the sandbox's hostname, then one
 * `IP<TAB>NAME` line per `--add-host` entry.
 */
export function hostsFile(hostname: string, extraHosts: readonly ExtraHost[] = []): string {
  const extra = extraHosts.map((h) => `${h.ip}\t${h.host}\n`).join('');
  return `127.0.0.1\tlocalhost ${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n${extra}`;
}

const FALLBACK_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

const isLoopbackServer = (line: string): boolean => /^\s*nameserver\s+(127\.\S*|::1)\s*$/.test(line);

/**
 * The host's resolv.conf as the step sees it. On the host network, unchanged. Outside it a
 * loopback resolver (systemd-resolved's 127.0.0.53) is unreachable, as under Docker: with
 * `forwarder` (the user-mode network's DNS address, which relays to the host's resolver) it
 * takes the first loopback line's place; without one (`--network none`) such lines are dropped,
 * falling back to public DNS as Docker does when none is left.
 */
export function resolvConf(hostNetwork: boolean, forwarder?: string, path = '/etc/resolv.conf'): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = '';
  }
  if (hostNetwork) return text;
  let replaced = false;
  const lines = text.split('\n').flatMap((line) => {
    if (line.trim() === '') return [];
    if (!isLoopbackServer(line)) return [line];
    if (forwarder === undefined || replaced) return [];
    replaced = true;
    return [`nameserver ${forwarder}`];
  });
  if (!lines.some((line) => /^\s*nameserver\s/.test(line))) {
    lines.push(...(forwarder !== undefined ? [forwarder] : FALLBACK_NAMESERVERS).map((ip) => `nameserver ${ip}`));
  }
  return `${lines.join('\n')}\n`;
}
