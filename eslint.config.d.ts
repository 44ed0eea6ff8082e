// Types for the parts of eslint.config.js that test/unit/layers.test.ts checks.
import type { Linter } from 'eslint';

export declare const layerZones: { target: string; from: string | string[]; except?: string[]; message: string }[];
export declare const clientImports: Linter.RuleEntry;
declare const config: Linter.Config[];
export default config;
