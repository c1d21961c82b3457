/**
 * Fill patterns so a phase reads without colour: dots = database, cross = pool, stripes = holding the loop.
 * The request lanes' bars are stretched by the axis (`k` pixels per ms): their own copies of the
 * patterns are squeezed back by the same factor, so dots stay round at every zoom.
 */
export function TimelinePatterns({ k = 1 }: { k?: number }) {
  const unstretch = `scale(${1 / k}, 1)`;
  return (
    <defs>
      {[
        { suffix: '', stretch: '' },
        { suffix: '-lane', stretch: unstretch },
      ].map(({ suffix, stretch }) => (
        <g key={suffix}>
          <pattern
            id={`pat-db${suffix}`}
            width="6"
            height="6"
            patternUnits="userSpaceOnUse"
            patternTransform={stretch || undefined}
          >
            <rect width="6" height="6" fill="#f6c48f" />
            <circle cx="3" cy="3" r="1.4" fill="#7a3500" />
          </pattern>
          <pattern
            id={`pat-pool${suffix}`}
            width="6"
            height="6"
            patternUnits="userSpaceOnUse"
            patternTransform={stretch || undefined}
          >
            <rect width="6" height="6" fill="#e3cdf0" />
            <path d="M0,3 H6 M3,0 V6" stroke="#6a2c91" strokeWidth="1" />
          </pattern>
          <pattern
            id={`pat-holds${suffix}`}
            width="6"
            height="6"
            patternUnits="userSpaceOnUse"
            patternTransform={`${stretch} rotate(45)`.trim()}
          >
            <rect width="6" height="6" fill="#ffd6dc" />
            <line x1="0" y1="0" x2="0" y2="6" stroke="#b00020" strokeWidth="3" />
          </pattern>
        </g>
      ))}
    </defs>
  );
}
