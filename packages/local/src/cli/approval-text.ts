import type { ApprovalView } from './admin-client.js';
import { visibleText } from './terminal-text.js';

/**
 * The short id the page and `haltstate approvals` show; the CLI takes it (any unique prefix).
 *
 * @example
 * shortId('3f2a9c1b-7d4e-4c1a-9b2f-0e5d6c7b8a90'); // '3f2a9c1b'
 */
export const shortId = (id: string): string => id.slice(0, 8);

/**
 * A duration for people.
 *
 * @example
 * humanDuration(125_000);    // '2m'
 * humanDuration(7_500_000);  // '2h 5m'
 */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${minutes % 60 ? ` ${minutes % 60}m` : ''}`;
  return `${Math.floor(hours / 24)}d${hours % 24 ? ` ${hours % 24}h` : ''}`;
}

/**
 * One approval as `haltstate approvals` prints it: a head line, then params, metadata and times.
 *
 * @example
 * for (const approval of approvals) io.out(approvalLines(approval, new Date()).join('\n'));
 */
export function approvalLines(approval: ApprovalView, now: Date): string[] {
  const rule = approval.policy_id ? `rule ${approval.policy_id}` : 'no rule (the default)';
  const lines = [
    `${shortId(approval.approval_id)}  ${approval.status.padEnd(8)}  ${approval.action} by ${approval.agent_id}  ${rule}${approval.policy_reason ? `: ${approval.policy_reason}` : ''}`,
    `    params    ${JSON.stringify(approval.params)}`,
  ];
  if (approval.metadata) lines.push(`    metadata  ${JSON.stringify(approval.metadata)}`);
  const created = new Date(approval.created_at);
  const expires = new Date(approval.expires_at);
  if (approval.status === 'pending') {
    lines.push(`    waiting   ${humanDuration(now.getTime() - created.getTime())} (since ${approval.created_at}) · expires in ${humanDuration(expires.getTime() - now.getTime())} (${approval.expires_at})`);
  } else {
    const decision = `${approval.status}${approval.approver ? ` by ${approval.approver}` : ''}${approval.decided_at ? ` at ${approval.decided_at}` : ''}${approval.reason ? `: ${approval.reason}` : ''}`;
    lines.push(`    requested ${approval.created_at} · ${decision}`);
  }
  // Every line carries agent-chosen text (action, agent, params): escaped here, and again by the CLI's output.
  return lines.map((line) => visibleText(line.replace(/[\n\t]/g, (character) => (character === '\n' ? '\\n' : '\\t'))));
}
