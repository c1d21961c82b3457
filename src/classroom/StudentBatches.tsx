import type { Batch } from './studentMachine';

const ms = (value: number) => `${Math.round(value)} ms`;
const MODE_NAMES = { blocking: 'blocking', nonblocking: 'non-blocking' } as const;

/** The phone's batches, newest first: each request with a live timer until it is answered. */
export function StudentBatches({ batches, now }: { batches: readonly Batch[]; now: number }) {
  return (
    <div className="batches" data-testid="results" aria-label="Your latest requests">
      {batches.map((batch) => {
        const answered = batch.requests.filter((r) => r.result);
        const modes = new Set(answered.map((r) => r.result?.mode).filter(Boolean));
        const mode = modes.size === 1 ? [...modes][0]! : undefined;
        const slowest = answered.reduce((max, r) => Math.max(max, r.result!.latencyMs), 0);
        return (
          <section key={batch.id} className="batch" data-testid="batch" data-mode={mode}>
            <h2>
              {batch.requests.length === 1 ? '1 request' : `${batch.requests.length} at once`}
              {mode && <span className={`batch-mode mode-${mode}`}> · {MODE_NAMES[mode]}</span>}
              {answered.length === batch.requests.length && (
                <span className="batch-total"> · all back in {ms(slowest)}</span>
              )}
            </h2>
            <ol>
              {batch.requests.map((request) => {
                const result = request.result;
                if (!result) {
                  return (
                    <li key={request.id} className="pending" data-testid="pending">
                      <span
                        className="bar"
                        style={{ width: `${Math.min(100, (now - batch.sentAt) / 20)}%` }}
                        aria-hidden="true"
                      />
                      <strong>{ms(Math.max(0, now - batch.sentAt))}</strong> waiting…
                    </li>
                  );
                }
                const ok = result.status >= 200 && result.status < 300;
                return (
                  <li key={request.id} className={ok ? 'ok' : 'failed'}>
                    <span
                      className="bar"
                      style={{ width: `${Math.min(100, result.latencyMs / 20)}%` }}
                      aria-hidden="true"
                    />
                    <strong>{ms(result.latencyMs)}</strong>{' '}
                    {ok ? 'answered' : (result.message ?? `HTTP ${result.status}`)}
                  </li>
                );
              })}
            </ol>
          </section>
        );
      })}
    </div>
  );
}
