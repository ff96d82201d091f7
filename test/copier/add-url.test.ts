// ADD from http(s) URLs against a local server, and the sources COPY/ADD refuse.
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyToLayer, CopyError } from '../../src/copier/index.js';
import { copyRequest, scratchDir, writeTree } from './helpers.js';

const work = scratchDir('addurl');
const ctx = writeTree(join(work, 'ctx'), { placeholder: '' });
const BODY = 'downloaded body\n';
const LAST_MODIFIED = 'Wed, 21 Oct 2015 07:28:00 GMT';
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/missing') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Last-Modified': LAST_MODIFIED }).end(BODY);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

describe('ADD <url>', () => {
  it('names the file after the URL under a directory dest, with mode 0600 and Last-Modified as mtime', async () => {
    const req = await copyRequest(ctx, [`${base}/files/tool.sh?x=1`], '/opt/', { add: {} });
    await copyToLayer(req);
    const file = join(req.outDir, 'opt/tool.sh');
    expect(readFileSync(file, 'utf8')).toBe(BODY);
    const st = lstatSync(file);
    expect(st.mode & 0o7777).toBe(0o600);
    expect(st.mtime.toUTCString()).toBe(LAST_MODIFIED);
  });

  it('writes to the dest path itself when it has no trailing slash', async () => {
    const req = await copyRequest(ctx, [`${base}/a`], '/renamed', { add: {} });
    await copyToLayer(req);
    expect(readFileSync(join(req.outDir, 'renamed'), 'utf8')).toBe(BODY);
  });

  it('verifies --checksum and reports a mismatch with both digests', async () => {
    const good = 'sha256:' + createHash('sha256').update(BODY).digest('hex');
    await copyToLayer(await copyRequest(ctx, [`${base}/ok`], '/c/', { add: { checksum: good } }));
    const bad = 'sha256:' + '0'.repeat(64);
    await expect(copyToLayer(await copyRequest(ctx, [`${base}/ok`], '/c/', { add: { checksum: bad } }))).rejects.toThrow(
      new RegExp(`checksum mismatch.*expected ${bad}, got ${good}`),
    );
  });

  it('fails with the HTTP status when the download fails', async () => {
    await expect(copyToLayer(await copyRequest(ctx, [`${base}/missing`], '/m/', { add: {} }))).rejects.toThrow(/HTTP 404/);
  });
});

describe('refused sources', () => {
  async function failure(sources: string[], dest: string, extra = {}): Promise<CopyError> {
    const err = await copyToLayer(await copyRequest(ctx, sources, dest, extra)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CopyError);
    return err as CopyError;
  }

  it('says clearly that ADD of a git repository is not supported yet', async () => {
    const err = await failure(['https://github.com/moby/buildkit.git#v0.12.0'], '/src/', { add: {} });
    expect(err.message).toContain('ADD of a git repository is not supported yet');
    expect((await failure(['git@github.com:moby/buildkit.git'], '/src/', { add: {} })).exitCode).toBe(2);
  });

  it('refuses a URL in COPY as invalid usage', async () => {
    const err = await failure([`${base}/x`], '/x/');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('use ADD');
  });

  it('refuses --checksum on a local source', async () => {
    const err = await failure(['placeholder'], '/x/', { add: { checksum: 'sha256:' + 'a'.repeat(64) } });
    expect(err.exitCode).toBe(2);
  });
});
