/** Fill patterns so a phase reads without colour: dots = database, cross = pool, stripes = holding the loop. */
export function TimelinePatterns() {
  return (
    <defs>
      <pattern id="pat-db" width="6" height="6" patternUnits="userSpaceOnUse">
        <rect width="6" height="6" fill="#f6c48f" />
        <circle cx="3" cy="3" r="1.4" fill="#7a3500" />
      </pattern>
      <pattern id="pat-pool" width="6" height="6" patternUnits="userSpaceOnUse">
        <rect width="6" height="6" fill="#e3cdf0" />
        <path d="M0,3 H6 M3,0 V6" stroke="#6a2c91" strokeWidth="1" />
      </pattern>
      <pattern id="pat-holds" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect width="6" height="6" fill="#ffd6dc" />
        <line x1="0" y1="0" x2="0" y2="6" stroke="#b00020" strokeWidth="3" />
      </pattern>
    </defs>
  );
}
