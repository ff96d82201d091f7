// Progress events of a build. The solver emits them; the CLI renders them (tty, plain,
// rawjson) and API callers receive them as they are.

/** One unit of progress, like a BuildKit vertex: an internal task or a Dockerfile step. */
export interface VertexInfo {
  /** 1-based, in the order vertices were first announced (`#N` in plain output). */
  number: number;
  /** `[stage 2/5] RUN make` or `[internal] load build context`. */
  name: string;
  /** Set when the vertex is a Dockerfile step (FROM included). */
  step?: StepInfo;
}

/** Which Dockerfile step a vertex is: what a trace groups and labels steps by. */
export interface StepInfo {
  /** Index of the stage in the Dockerfile. */
  stage: number;
  stageName?: string;
  /** The instruction as displayed, e.g. `RUN make`. */
  instruction: string;
}

export type BuildEvent =
  | { type: 'vertex-start'; vertex: VertexInfo; time: number }
  | { type: 'vertex-log'; vertex: VertexInfo; stream: 'stdout' | 'stderr'; data: string; time: number }
  | { type: 'vertex-cached'; vertex: VertexInfo; time: number }
  | { type: 'vertex-done'; vertex: VertexInfo; durationMs: number; time: number }
  | { type: 'vertex-error'; vertex: VertexInfo; message: string; durationMs: number; time: number }
  /** The layer a step produced or reused; `bytes` is its uncompressed size. */
  | { type: 'vertex-layer'; vertex: VertexInfo; bytes: number; cached: boolean; time: number }
  /** A vertex stopped because the build was canceled (Ctrl-C, `signal`). */
  | { type: 'vertex-canceled'; vertex: VertexInfo; durationMs: number; time: number }
  /** A named sub-task of a vertex finished (`writing image sha256:…`, `naming to …`), as BuildKit's status lines. */
  | { type: 'vertex-status'; vertex: VertexInfo; name: string; time: number };

export type BuildEventListener = (event: BuildEvent) => void;

/** Hands out vertex numbers and stamps events; one per build. */
export class ProgressEmitter {
  private next = 1;
  private readonly listeners: BuildEventListener[];
  /** Set when the build is canceled: vertices that stop from then on are CANCELED, not failed. */
  canceled = false;

  constructor(listeners: BuildEventListener[]) {
    this.listeners = listeners;
  }

  vertex(name: string, step?: StepInfo): VertexInfo {
    return { number: this.next++, name, ...(step ? { step } : {}) };
  }

  emit(event: BuildEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Runs `work` as a vertex: start, then done or error with its duration. */
  async track<T>(vertex: VertexInfo, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    this.emit({ type: 'vertex-start', vertex, time: started });
    try {
      const result = await work();
      this.emit({ type: 'vertex-done', vertex, durationMs: Date.now() - started, time: Date.now() });
      return result;
    } catch (err) {
      if (this.canceled) {
        this.emit({ type: 'vertex-canceled', vertex, durationMs: Date.now() - started, time: Date.now() });
        throw err;
      }
      const message = err instanceof Error ? err.message : String(err);
      this.emit({ type: 'vertex-error', vertex, message, durationMs: Date.now() - started, time: Date.now() });
      throw err;
    }
  }

  log(vertex: VertexInfo, stream: 'stdout' | 'stderr', data: string): void {
    this.emit({ type: 'vertex-log', vertex, stream, data, time: Date.now() });
  }

  status(vertex: VertexInfo, name: string): void {
    this.emit({ type: 'vertex-status', vertex, name, time: Date.now() });
  }

  /** A vertex that failed before its work began (a COPY source missing while computing its cache key). */
  failed(vertex: VertexInfo, message: string): void {
    this.emit({ type: 'vertex-start', vertex, time: Date.now() });
    this.emit({ type: 'vertex-error', vertex, message, durationMs: 0, time: Date.now() });
  }

  cached(vertex: VertexInfo): void {
    this.emit({ type: 'vertex-start', vertex, time: Date.now() });
    this.emit({ type: 'vertex-cached', vertex, time: Date.now() });
  }
}
