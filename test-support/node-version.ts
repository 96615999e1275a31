// Suites of packages whose framework needs a newer Node (ai 7, openai 7 need Node 22) run on the
// CI legs that have it and are skipped elsewhere, saying why on stderr (a skipped suite prints
// nothing by itself).

/** The major version of the Node running the tests. */
export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * `describe` on Node `major` or newer; elsewhere `describe.skip`, with the reason printed once.
 *
 * @example
 * describeOnNode(22, 'ai 7 declares Node >= 22')('the ai 7 agent loop', () => { … });
 */
export function describeOnNode(major: number, reason: string): jest.Describe {
  if (NODE_MAJOR >= major) return describe;
  process.stderr.write(`skipped on Node ${process.versions.node}: ${reason} (runs on the Node ${major}+ legs of CI)\n`);
  return describe.skip;
}
