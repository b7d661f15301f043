import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  /** Rows rendered beyond the viewport on each side. */
  overscan?: number;
  renderRow: (index: number) => ReactNode;
  /** Called with the visible range (for fetching the pages it needs). */
  onRange?: (first: number, last: number) => void;
  className?: string;
  label: string;
  header?: ReactNode;
  colCount?: number;
}

/**
 * A windowed list: only the rows in view (plus overscan) are in the DOM, moved as one block with
 * a transform, so 100,000 rows scroll like 40. Rows have a fixed height.
 */
export function VirtualList({ count, rowHeight, overscan = 8, renderRow, onRange, className, label, header, colCount }: VirtualListProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ top: 0, height: 600 });
  const frame = useRef(0);

  const measure = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    setViewport((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
  }, []);

  useLayoutEffect(() => {
    measure();
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [measure]);

  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      measure();
    });
  };

  const first = Math.max(0, Math.floor(viewport.top / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((viewport.top + viewport.height) / rowHeight) + overscan);

  useEffect(() => {
    onRange?.(first, last);
  }, [first, last, onRange]);

  const rows: ReactNode[] = [];
  for (let i = first; i <= last; i++) rows.push(renderRow(i));

  return (
    <div
      ref={ref}
      className={`vlist ${className ?? ''}`}
      onScroll={onScroll}
      role="table"
      aria-label={label}
      aria-rowcount={count + 1}
      aria-colcount={colCount}
      tabIndex={0}
    >
      {header}
      <div className="vlist-spacer" style={{ height: count * rowHeight }}>
        <div className="vlist-block" role="rowgroup" style={{ transform: `translateY(${first * rowHeight}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
