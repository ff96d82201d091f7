/** The outcome of one conformance suite: counts, and one line per failed case. */
export interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  failures: string[];
}

/** A suite reads its data from `dataDir` (../shared/conformance) and never copies it. */
export type Suite = (dataDir: string) => Promise<SuiteResult>;

/** Records a case: `check` returns a failure description, or null when the case passed. */
export class SuiteRecorder {
  private result: SuiteResult;

  constructor(name: string) {
    this.result = { name, passed: 0, failed: 0, failures: [] };
  }

  check(caseName: string, check: () => string | null): void {
    let problem: string | null;
    try {
      problem = check();
    } catch (err) {
      problem = `threw ${err instanceof Error ? err.message : String(err)}`;
    }
    if (problem === null) this.result.passed++;
    else {
      this.result.failed++;
      this.result.failures.push(`${caseName}: ${problem}`);
    }
  }

  done(): SuiteResult {
    return this.result;
  }
}
