// Values the global setups hand to the test files (vitest `provide` / `inject`).
declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the prebuilt workflow bundle (all tiers). */
    workflowBundlePath: string;
    /** The time-skipping test server binary (unit). */
    testServerPath: string;
    /** A fresh database for this run (integration). */
    databaseUrl: string;
    /** The dev server started for this run (integration). */
    temporalAddress: string;
  }
}
export {};
