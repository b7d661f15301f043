/**
 * The last segment of a resource name: the queue ID of `projects/P/locations/L/queues/Q`, the
 * task ID of `.../tasks/T`. Plain string code, so the renderer and the engine share one copy.
 */
export function shortId(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
