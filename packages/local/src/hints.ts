// Every command the CLI, the errors and the demo suggest is printed with this prefix, so it
// works as printed wherever @haltstate/local is installed (in the project or globally): npx
// runs the installed bin and, with --no-install, never fetches a package of that name from
// the registry.
/**
 * How to run the installed CLI.
 *
 * @example
 * io.out(`next: ${HALTSTATE_BIN} dev --policy policy.yaml`);
 */
export const HALTSTATE_BIN = 'npx --no-install haltstate';

/**
 * An argument quoted for a POSIX shell when it needs it, so a printed command can be pasted.
 *
 * @example
 * shellQuote('policy.yaml');    // policy.yaml
 * shellQuote('my policy.yaml'); // 'my policy.yaml'
 */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A command line that works as printed.
 *
 * @example
 * command('dev', '--policy', 'my policy.yaml'); // npx --no-install haltstate dev --policy 'my policy.yaml'
 */
export const command = (...args: string[]): string => [HALTSTATE_BIN, ...args.map(shellQuote)].join(' ');

/**
 * The words `haltstate dev` and the approvals page both use for the link that signs a tenant in.
 *
 * @example
 * io.out(`${SIGN_IN_LINK} for the approvals page: ${server.signInUrl('demo')}`);
 */
export const SIGN_IN_LINK = 'sign-in link';
