import { readFile } from 'node:fs/promises';

/** /etc/hosts as BuildKit writes it: loopback names plus the sandbox's hostname. */
export function hostsFile(hostname: string): string {
  return `127.0.0.1\tlocalhost ${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
}

const FALLBACK_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

/**
 * The host's resolv.conf. Outside the host network a loopback resolver (systemd-resolved's
 * 127.0.0.53) is unreachable, so such lines are dropped, falling back to public DNS as
 * Docker does when none is left.
 */
export async function resolvConf(hostNetwork: boolean, path = '/etc/resolv.conf'): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    text = '';
  }
  if (hostNetwork) return text;
  const isLoopbackServer = (line: string): boolean => /^\s*nameserver\s+(127\.\S*|::1)\s*$/.test(line);
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !isLoopbackServer(line));
  if (!lines.some((line) => /^\s*nameserver\s/.test(line))) {
    lines.push(...FALLBACK_NAMESERVERS.map((ip) => `nameserver ${ip}`));
  }
  return `${lines.join('\n')}\n`;
}
