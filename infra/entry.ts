import * as pulumi from "@pulumi/pulumi";
import { UserInputError } from "../catalog/errors";

/**
 * Runs the program the way `pulumi up` should report a config mistake: a
 * UserInputError becomes a pulumi.RunError, which the Node language host
 * prints as its message alone (`@pulumi/pulumi` cmd/run/run.js: "Always hide
 * the stack for RunErrors"), so the CLI shows one line naming the key
 * instead of an unhandled exception with a stack trace. Anything else is a
 * bug and keeps its stack.
 */
export function runProgram<T>(program: () => T): T {
  try {
    return program();
  } catch (err) {
    if (err instanceof UserInputError) throw new pulumi.RunError(err.message);
    throw err;
  }
}
