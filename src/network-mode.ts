/**
 * The network a RUN step or `tsbuild run` gets: `default` and `none` a new namespace of
 * its own, `host` the host's (an entitlement). One type for the frontend, solver and executor.
 */
export type NetworkMode = 'default' | 'none' | 'host';

export const NETWORK_MODES: readonly NetworkMode[] = ['default', 'none', 'host'];
