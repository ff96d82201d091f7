// Listens to a build's progress events and keeps one span per vertex: when it ran,
// whether it was cached or failed, and the layer it left. The trace and the HTML
// report are both drawn from these spans.
import type { BuildEvent, StepInfo } from '../solver/index.js';

export interface Span {
  /** Vertex number (`#N`). */
  number: number;
  name: string;
  step?: StepInfo;
  /** Start and end, ms since the epoch; `end` is undefined while running. */
  start: number;
  end?: number;
  cached: boolean;
  error?: string;
  /** Uncompressed size of the step's layer, when it has one. */
  layerBytes?: number;
}

/** Collects spans from `onEvent`; read them with `spans()` once the build is over. */
export class TraceRecorder {
  private readonly byNumber = new Map<number, Span>();

  readonly onEvent = (event: BuildEvent): void => {
    const { vertex } = event;
    if (event.type === 'vertex-start') {
      const step = vertex.step ? { step: vertex.step } : {};
      this.byNumber.set(vertex.number, { number: vertex.number, name: vertex.name, ...step, start: event.time, cached: false });
      return;
    }
    // A step identical to one already running waits for it and never starts: no span of its own.
    const span = this.byNumber.get(vertex.number);
    if (!span) return;
    switch (event.type) {
      case 'vertex-cached':
        span.cached = true;
        span.end = event.time;
        break;
      case 'vertex-done':
        span.end = event.time;
        break;
      case 'vertex-error':
        span.end = event.time;
        span.error = event.message;
        break;
      case 'vertex-layer':
        span.layerBytes = event.bytes;
        break;
      case 'vertex-log':
        break;
    }
  };

  /** Spans in the order their vertices started; one still running ends at `now`. */
  spans(now = Date.now()): Span[] {
    return [...this.byNumber.values()].map((s) => ({ ...s, end: s.end ?? now })).sort((a, b) => a.start - b.start || a.number - b.number);
  }
}

/** A stage's name, or `stage-N` as the progress output calls an unnamed one. */
export function stageLabel(step: StepInfo): string {
  return step.stageName ?? `stage-${step.stage}`;
}
