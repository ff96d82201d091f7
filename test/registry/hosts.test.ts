import { describe, expect, it } from 'vitest';
import { parseReference } from '../../src/image/reference.js';
import { canonicalHost, registryBaseUrl } from '../../src/registry/index.js';

describe('registry hosts', () => {
  it('sends docker.io and its aliases to registry-1.docker.io over https', () => {
    for (const host of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'Docker.IO']) {
      expect(canonicalHost(host)).toBe('docker.io');
      expect(registryBaseUrl(host).href).toBe('https://registry-1.docker.io/');
    }
  });

  it('finds busybox in library/ on Docker Hub', () => {
    const ref = parseReference('busybox');
    expect(ref).toEqual({ domain: 'docker.io', path: 'library/busybox', tag: 'latest' });
    expect(registryBaseUrl(ref.domain).host).toBe('registry-1.docker.io');
  });

  it('talks plain http to loopback registries without being told', () => {
    expect(registryBaseUrl('localhost:5000').href).toBe('http://localhost:5000/');
    expect(registryBaseUrl('127.0.0.1:5000').href).toBe('http://127.0.0.1:5000/');
    expect(registryBaseUrl('[::1]:5000').href).toBe('http://[::1]:5000/');
  });

  it('uses http only for the hosts named insecure', () => {
    expect(registryBaseUrl('reg.lan:5000', ['reg.lan:5000']).href).toBe('http://reg.lan:5000/');
    expect(registryBaseUrl('reg.lan:5000', ['reg.lan']).href).toBe('https://reg.lan:5000/');
    expect(registryBaseUrl('ghcr.io').href).toBe('https://ghcr.io/');
  });
});
