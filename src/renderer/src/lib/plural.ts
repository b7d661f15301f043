/** "1 task", "2 tasks", "1,024 live tasks": a count with its noun, in the reader's number format. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? word : many}`;
}
