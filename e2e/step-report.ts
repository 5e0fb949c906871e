/**
 * The tally of an end-to-end run: each step passes, fails or is skipped with
 * a reason, and the run ends with `e2e: N passed, M failed, K skipped`.
 */
export class StepReport {
  private passed = 0;
  private failed = 0;
  private skipped = 0;

  constructor(private readonly print: (line: string) => void = console.log) {}

  /** Runs a step; a thrown error fails it and the run goes on only if `continueOnFailure`. */
  async step(name: string, body: () => Promise<string | undefined> | string | undefined): Promise<boolean> {
    const started = Date.now();
    try {
      const detail = await body();
      this.passed++;
      this.print(
        `  ✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)${detail ? `\n      ${detail.split('\n').join('\n      ')}` : ''}`,
      );
      return true;
    } catch (error) {
      this.failed++;
      const message = error instanceof Error ? error.message : String(error);
      this.print(`  ✗ ${name}\n      ${message.split('\n').join('\n      ')}`);
      return false;
    }
  }

  skip(name: string, reason: string): void {
    this.skipped++;
    this.print(`  - ${name} (skipped: ${reason})`);
  }

  get totals() {
    return { passed: this.passed, failed: this.failed, skipped: this.skipped };
  }

  summary(): string {
    return `e2e: ${this.passed} passed, ${this.failed} failed, ${this.skipped} skipped`;
  }
}
