import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README, supportTable, withCurrentTable } from '../../../../server/db/embedded/support';

describe("the embedded server's README", () => {
  it('lists exactly what the code supports (regenerate with `npx tsx server/db/embedded/support.ts --write`)', () => {
    const readme = fs.readFileSync(README, 'utf8');
    expect(readme).toContain(supportTable());
    expect(withCurrentTable(readme)).toBe(readme);
  });
});
