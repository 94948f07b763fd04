import { UserInputError } from "../catalog/errors";

/** The UserInputError `fn` throws; fails the test when it throws nothing or anything else. */
export function userErrorOf(fn: () => unknown): UserInputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserInputError) return err;
    throw err;
  }
  throw new Error("expected a UserInputError");
}
