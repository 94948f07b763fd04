// The Pulumi entry point (Pulumi.yaml `main: infra/`): the only module with side effects.
import { createStack } from "./program";

export = createStack();
