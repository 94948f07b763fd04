import { UserInputError } from "../catalog/errors";
import { helpPointer } from "./command";

/** Exit codes: 0 done, 1 a preview blocked by a mandatory policy, 2 bad input. */
export const EXIT = { ok: 0, blocked: 1, badInput: 2 } as const;

/**
 * The one line a user mistake prints: a mistake on the command line ends by
 * pointing at the command's help; a mistake in a file already names the
 * file, the field and what would be valid.
 */
export function userErrorLine(err: UserInputError, command?: string): string {
  return command !== undefined && err.file === "command line"
    ? `error: ${err.message}; ${helpPointer(command)}`
    : `error: ${err.message}`;
}

/**
 * Runs a command, printing a user mistake as one line and exit 2, never a
 * stack trace; anything else is a bug and keeps its trace.
 */
export async function runCommand(fn: () => Promise<number> | number, command?: string): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UserInputError) {
      process.stderr.write(`${userErrorLine(err, command)}\n`);
      return EXIT.badInput;
    }
    throw err;
  }
}
