import type { ReactNode } from 'react';

export type ViewName = 'timeline' | 'code' | 'numbers' | 'compare';

const VIEWS: Array<{ name: ViewName; label: string }> = [
  { name: 'timeline', label: 'Timeline' },
  { name: 'code', label: 'Code' },
  { name: 'numbers', label: 'Numbers' },
  { name: 'compare', label: 'Compare' },
];

/** Tabs for the detail views (arrow keys move between tabs, as the ARIA pattern says). */
export function ViewTabs({
  view,
  setView,
  children,
}: {
  view: ViewName;
  setView: (v: ViewName) => void;
  children: ReactNode;
}) {
  const index = VIEWS.findIndex((v) => v.name === view);
  const move = (delta: number) => setView(VIEWS[(index + delta + VIEWS.length) % VIEWS.length]!.name);
  return (
    <section className="views">
      <div role="tablist" aria-label="Views" className="tabs">
        {VIEWS.map((v, i) => (
          <button
            key={v.name}
            type="button"
            role="tab"
            id={`tab-${v.name}`}
            aria-selected={v.name === view}
            aria-controls={`panel-${v.name}`}
            tabIndex={v.name === view ? 0 : -1}
            data-testid={`tab-${v.name}`}
            onClick={() => setView(v.name)}
            onKeyDown={(e) => {
              const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
              if (delta === 0) return;
              e.preventDefault();
              move(delta);
            }}
          >
            {v.label} <kbd aria-hidden="true">{i + 1}</kbd>
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${view}`} aria-labelledby={`tab-${view}`} className="tabpanel">
        {children}
      </div>
    </section>
  );
}
