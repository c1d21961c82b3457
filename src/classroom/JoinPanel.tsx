import { Fragment } from 'react';
import type { ClassroomInfo } from './api';

/** The URL with line-break chances only after its slashes and dots: never inside a word. */
function BreakableUrl({ url }: { url: string }) {
  const parts = url.split(/(?<=[/.])/);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </>
  );
}

/** The join URL as a QR code and as text, with how many phones are in. */
export function JoinPanel({
  info,
  large,
}: {
  info: ClassroomInfo;
  /** The big version, for the start of the class. */ large?: boolean;
}) {
  return (
    <section
      className={`join-panel${large ? ' join-large' : ''}`}
      aria-labelledby="join-title"
      data-testid="join-panel"
    >
      <h2 id="join-title">Join with your phone</h2>
      <img src="/api/classroom/qr.svg" alt={`QR code for ${info.joinUrl ?? 'the join page'}`} className="join-qr" />
      <p className="join-url" data-testid="join-url">
        {info.joinUrl && <BreakableUrl url={info.joinUrl} />}
      </p>
      <p className="join-count" data-testid="student-count">
        {info.students} {info.students === 1 ? 'student' : 'students'} in
      </p>
    </section>
  );
}
