/** An OCI platform (os/architecture[/variant]). */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const NODE_ARCH_TO_OCI: Record<string, { architecture: string; variant?: string }> = {
  x64: { architecture: 'amd64' },
  arm64: { architecture: 'arm64' },
  arm: { architecture: 'arm', variant: 'v7' },
  ia32: { architecture: '386' },
  ppc64: { architecture: 'ppc64le' },
  s390x: { architecture: 's390x' },
  riscv64: { architecture: 'riscv64' },
};

/** The platform of the machine tsbuild runs on, in OCI terms. */
export function hostPlatform(): Platform {
  const arch = NODE_ARCH_TO_OCI[process.arch] ?? { architecture: process.arch };
  return { os: 'linux', ...arch };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Parses `linux/amd64[/v8]`; errors name the accepted shape. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new Error(`invalid platform "${text}": expected os/arch[/variant], e.g. linux/amd64`);
  }
  const [os, architecture, variant] = parts as [string, string, string?];
  return variant ? { os, architecture, variant } : { os, architecture };
}
