import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../contracts/validation';
import { devServerArgs } from '../../temporal-config/dev-server';
import { loadDynamicConfig } from '../../temporal-config/dynamic-config';
import { serverEnv } from '../../provision/temporal-server';

const scratch = (text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'dynamic-config-')), 'dc.yaml');
  writeFileSync(file, text);
  return file;
};

describe('the shared dynamic config (temporal-config/dynamic-config.yaml)', () => {
  it('raises the queue-reader limits and keeps updates on', () => {
    const config = loadDynamicConfig();
    expect(config).toMatchObject({
      'frontend.enableUpdateWorkflowExecution': true,
      'history.transferProcessorMaxPollRPS': 1000,
      'history.timerProcessorMaxPollRPS': 1000,
      'history.visibilityProcessorMaxPollRPS': 1000,
    });
  });

  it('reaches the dev server as one flag per key, and the production server as the file itself', () => {
    const args = devServerArgs({ ip: '127.0.0.1', port: 7233, namespace: 'default' });
    for (const [key, value] of Object.entries(loadDynamicConfig())) {
      expect(args).toContain(`${key}=${JSON.stringify(value)}`);
    }
    expect(
      serverEnv({ port: 7233, db: {} as never, namespace: 'default', logFile: '' }).SAGA_TEMPORAL_DYNAMIC_CONFIG,
    ).toMatch(/temporal-config\/dynamic-config\.yaml$/);
  });

  it('refuses a key with constraints or two values, naming the key, since the dev server cannot take them', () => {
    const file = scratch(
      'history.transferProcessorMaxPollRPS:\n  - value: 100\n    constraints: { namespace: default }\n' +
        'frontend.enableUpdateWorkflowExecution:\n  - value: true\n  - value: false\n',
    );
    const err = (() => {
      try {
        loadDynamicConfig(file);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    const paths = (err as ValidationError).fields.map((f) => f.path);
    expect(paths.some((p) => p.includes('history.transferProcessorMaxPollRPS'))).toBe(true);
    expect(paths.some((p) => p.includes('frontend.enableUpdateWorkflowExecution'))).toBe(true);
  });
});
