import { useId, useState, type FormEvent } from 'react';
import { connectedLab, connectToLab, parseLabUrl } from '../api/labOrigin';

/**
 * Shown on the static site only: connects the page to a running lab (the address
 * `npm start` printed), remembered in this browser. Until then the page replays
 * recorded runs and calls no API.
 */
export function ConnectLab() {
  const current = connectedLab();
  const inputId = useId();
  const [text, setText] = useState(current ?? '');
  const [error, setError] = useState<string>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseLabUrl(text);
    if ('error' in parsed) setError(parsed.error);
    else connectToLab(parsed.origin);
  };
  return (
    <aside className="connect-lab" aria-label="Connect to a lab" data-testid="connect-lab">
      <form onSubmit={submit}>
        <label htmlFor={inputId}>
          {current ? `Connected to the lab at ${current}. Another lab:` : 'Connect to a lab at'}
        </label>
        <input
          id={inputId}
          type="url"
          inputMode="url"
          placeholder="http://127.0.0.1:3000"
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${inputId}-error` : undefined}
        />
        <button type="submit">Connect</button>
        {current && (
          <button type="button" onClick={() => connectToLab(undefined)}>
            Disconnect
          </button>
        )}
        {error && (
          <p id={`${inputId}-error`} role="alert">
            {error}
          </p>
        )}
      </form>
    </aside>
  );
}
