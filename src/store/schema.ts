/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
 * Append new steps, never edit old ones: stores in the field are at any step.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE blobs (
    digest     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    media_type TEXT,
    created    INTEGER NOT NULL
  );
  -- One row per layer in a chain. The snapshot of a chain is its own diff in overlay format;
  -- parents are separate rows, stacked as overlay lowerdirs.
  CREATE TABLE layers (
    chain_id          TEXT PRIMARY KEY,
    diff_id           TEXT NOT NULL,
    parent            TEXT REFERENCES layers(chain_id),
    size              INTEGER NOT NULL,
    source_date_epoch INTEGER,
    -- 1 when layerTarStream of the snapshot hashes to diff_id; 0 for imported tars written
    -- by other tools, whose bytes only a kept blob can give back.
    reproducible      INTEGER NOT NULL,
    created           INTEGER NOT NULL
  );
  CREATE INDEX layers_diff_id ON layers(diff_id);
  CREATE INDEX layers_parent ON layers(parent);
  -- Blobs of a diff: compressed variants made for export, or the original of an imported tar.
  CREATE TABLE layer_blobs (
    diff_id    TEXT NOT NULL,
    media_type TEXT NOT NULL,
    digest     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    PRIMARY KEY (diff_id, media_type)
  );
  CREATE TABLE snapshots (
    chain_id  TEXT PRIMARY KEY REFERENCES layers(chain_id),
    dir       TEXT NOT NULL UNIQUE,
    link      TEXT NOT NULL UNIQUE,
    created   INTEGER NOT NULL,
    last_used INTEGER NOT NULL
  );
  CREATE TABLE images (
    id              TEXT PRIMARY KEY,
    manifest_digest TEXT NOT NULL,
    created         INTEGER NOT NULL
  );
  CREATE TABLE image_layers (
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    idx      INTEGER NOT NULL,
    chain_id TEXT NOT NULL REFERENCES layers(chain_id),
    PRIMARY KEY (image_id, idx)
  );
  CREATE INDEX image_layers_chain ON image_layers(chain_id);
  CREATE TABLE tags (
    name     TEXT PRIMARY KEY,
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
  );
  CREATE INDEX tags_image ON tags(image_id);
  CREATE TABLE cache_records (
    key          TEXT PRIMARY KEY,
    chain_id     TEXT REFERENCES layers(chain_id),
    config_delta TEXT NOT NULL,
    created      INTEGER NOT NULL,
    last_used    INTEGER NOT NULL
  );
  CREATE TABLE stat_cache (
    context_id TEXT NOT NULL,
    path       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    mtime_ns   INTEGER NOT NULL,
    ctime_ns   INTEGER NOT NULL,
    ino        INTEGER NOT NULL,
    mode       INTEGER NOT NULL,
    digest     TEXT NOT NULL,
    PRIMARY KEY (context_id, path)
  ) WITHOUT ROWID;
  CREATE TABLE leases (
    id         TEXT PRIMARY KEY,
    pid        INTEGER NOT NULL,
    pid_start  TEXT NOT NULL,
    created    INTEGER NOT NULL
  );
  -- kind: 'snapshot' (chain id; holds its parents too), 'blob' (digest), 'image' (id), 'cache-mount' (id)
  CREATE TABLE lease_resources (
    lease_id TEXT NOT NULL REFERENCES leases(id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    key      TEXT NOT NULL,
    PRIMARY KEY (lease_id, kind, key)
  ) WITHOUT ROWID;
  CREATE TABLE cache_mounts (
    id        TEXT PRIMARY KEY,
    dir       TEXT NOT NULL UNIQUE,
    created   INTEGER NOT NULL,
    last_used INTEGER NOT NULL
  );
  `,
  `
  -- A name holding images of several platforms (an OCI index's worth): one row per platform, in
  -- index order. tags still names the member used when no platform is asked for.
  CREATE TABLE name_platforms (
    name     TEXT NOT NULL,
    idx      INTEGER NOT NULL,
    platform TEXT NOT NULL,
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    PRIMARY KEY (name, platform)
  );
  CREATE INDEX name_platforms_image ON name_platforms(image_id);
  `,
  `
  -- Layer tars of rows from before this step list whiteouts among the other entries, all in
  -- byte order of names; later ones put a directory's whiteouts right after it (OCI image
  -- spec). Stored diff IDs pin the old order, so a snapshot's tar is made the way its row says.
  ALTER TABLE layers ADD COLUMN whiteouts_first INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- The digest of each directory of a context, valid while its fingerprint is the same: the
  -- names and lstat of its entries, the .dockerignore rules, and its subdirectories' digests.
  -- A rebuild that finds every fingerprint unchanged reads no stat_cache row at all.
  CREATE TABLE dir_cache (
    context_id  TEXT NOT NULL,
    path        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    digest      TEXT NOT NULL,
    PRIMARY KEY (context_id, path)
  ) WITHOUT ROWID;
  `,
];
