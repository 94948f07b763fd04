import { UserInputError } from "../catalog/errors";

/** Exit codes: 0 done, 1 a preview blocked by a mandatory policy, 2 bad input. */
export const EXIT = { ok: 0, blocked: 1, badInput: 2 } as const;

/**
 * Runs a command, printing a user mistake as one line and exit 2, never a
 * stack trace; anything else is a bug and keeps its trace.
 */
export async function runCommand(fn: () => Promise<number> | number): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UserInputError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT.badInput;
    }
    throw err;
  }
}
