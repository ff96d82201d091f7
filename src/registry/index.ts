// The OCI distribution client: auth (bearer, basic, credential helpers), retries,
// pull into the store and push from it, platform selection of an index.
// Talks HTTP(S) only to the registries it is given.
export { RegistryClient } from './client.js';
export type { FetchedManifest, RegistryClientOptions, ResolvedManifest } from './client.js';
export { dockerConfigDir, readCredentials, writeCredentials } from './docker-config.js';
export type { Credentials } from './docker-config.js';
export { isRegistryError, RegistryError } from './errors.js';
export type { RegistryErrorReason, UploadSession } from './errors.js';
export { canonicalHost, DOCKER_HUB, DOCKER_HUB_ENDPOINT, registryBaseUrl } from './hosts.js';
export { login, logout } from './login.js';
export type { LoginOptions } from './login.js';
export { DEFAULT_RETRY } from './retry.js';
export type { RetryPolicy } from './retry.js';
export type { BlobSource, PushBlobOptions, PushBlobResult } from './upload.js';
export { parseChallenges } from './www-authenticate.js';
export type { Challenge } from './www-authenticate.js';
export { pullImage } from './pull.js';
export type { PullOptions } from './pull.js';
export { pushImage } from './push.js';
export type { PushOptions, PushResult } from './push.js';
export { pullPlatforms } from './pull-platforms.js';
