import { useEffect, useEffectEvent, useState } from 'react';
import type { TaskSort } from '../../../../shared/contract';
import type { TaskFilters } from './task-filters';

/** The task table's filters: state, last status, target host, text search, sort order. */
export function FilterBar({ filters, onChange }: { filters: TaskFilters; onChange: (f: TaskFilters) => void }) {
  const [search, setSearch] = useState(filters.search);
  const [host, setHost] = useState(filters.host);
  // Typing settles before it queries: only the two text fields start the timer, and what it hands
  // on is merged into the filters as they are when it fires.
  const settle = useEffectEvent(() => {
    if (search !== filters.search || host !== filters.host) onChange({ ...filters, search, host });
  });
  useEffect(() => {
    const t = setTimeout(settle, 250);
    return () => clearTimeout(t);
  }, [search, host]);
  return (
    <div className="filters" role="search" aria-label="Filter tasks">
      <label className="inline-field">
        <span>State</span>
        <select aria-label="State" value={filters.state} onChange={(e) => onChange({ ...filters, state: e.target.value as TaskFilters['state'] })}>
          <option value="live">All live</option>
          <option value="scheduled">Scheduled</option>
          <option value="due">Due</option>
          <option value="dispatching">Dispatching</option>
          <option value="backing_off">Backing off</option>
          <option value="finished">Finished</option>
          <option value="succeeded">Succeeded</option>
          <option value="exhausted">Exhausted</option>
        </select>
      </label>
      <label className="inline-field">
        <span>Last status</span>
        <select aria-label="Last status" value={filters.statusClass} onChange={(e) => onChange({ ...filters, statusClass: e.target.value as TaskFilters['statusClass'] })}>
          <option value="">Any</option>
          <option value="2xx">2xx</option>
          <option value="3xx">3xx</option>
          <option value="4xx">4xx</option>
          <option value="5xx">5xx</option>
          <option value="network">Network error</option>
        </select>
      </label>
      <label className="inline-field">
        <span>Target host</span>
        <input aria-label="Target host" placeholder="localhost:8080" value={host} onChange={(e) => setHost(e.target.value)} size={16} />
      </label>
      <label className="inline-field grow">
        <span>Search</span>
        <input
          type="search"
          data-shortcut-filter=""
          aria-label="Search tasks"
          placeholder="ID, URL, header or body text"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </label>
      <label className="inline-field">
        <span>Sort</span>
        <select aria-label="Sort by" value={filters.sort} onChange={(e) => onChange({ ...filters, sort: e.target.value as TaskSort })}>
          <option value="schedule">Schedule time</option>
          <option value="created">Created</option>
          <option value="attempts">Attempts</option>
        </select>
      </label>
      <button
        type="button"
        className="btn small"
        aria-label={filters.desc ? 'Sort ascending' : 'Sort descending'}
        aria-pressed={filters.desc}
        onClick={() => onChange({ ...filters, desc: !filters.desc })}
      >
        {filters.desc ? '↓' : '↑'}
      </button>
    </div>
  );
}
