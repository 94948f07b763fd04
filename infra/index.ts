// The Pulumi entry point (Pulumi.yaml `main: infra/`): the only module with side effects.
import { runProgram } from "./entry";
import { createStack } from "./program";

export = runProgram(createStack);
