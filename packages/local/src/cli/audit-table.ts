import type { AuditEntry } from '../server/store/types.js';
import { visibleText } from './terminal-text.js';

const COLUMNS: Array<[string, (entry: AuditEntry) => string | null]> = [
  // The date too: a dev database outlives a day.
  ['time (UTC)', (entry) => entry.time.slice(0, 23).replace('T', ' ')],
  ['event', (entry) => entry.kind],
  ['agent', (entry) => entry.agentId],
  ['action', (entry) => entry.action],
  ['decision', (entry) => entry.decision],
  ['policy', (entry) => entry.policyId],
  ['approver', (entry) => entry.approver],
  ['outcome', (entry) => entry.outcome],
];

/**
 * The audit trail as a fixed-width text table, times in UTC with the date.
 *
 * @example
 * console.log(formatAuditTable(await admin.audit()));
 */
export function formatAuditTable(entries: readonly AuditEntry[]): string {
  // Escaped before padding, so an agent's control characters neither reach the terminal nor
  // shift the columns.
  const rows = entries.map((entry) => COLUMNS.map(([, get]) => visibleText((get(entry) ?? '-').replace(/[ \t\n]+/g, ' ')).slice(0, 40)));
  const widths = COLUMNS.map(([name], index) => Math.max(name.length, ...rows.map((row) => row[index]!.length)));
  const line = (cells: string[]) => cells.map((cell, index) => cell.padEnd(widths[index]!)).join('  ').trimEnd();
  return [line(COLUMNS.map(([name]) => name)), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
