import { z } from "zod";
import { ScenarioSchema } from "../engine/scenario";

/**
 * The parts of the scenario a policy's config may give, for stacks whose
 * program does not write the scenario ConfigMap (or to pin the comparison a
 * platform team wants): the same schema as the stack config's keys, every
 * one optional. A key given here wins over the ConfigMap's.
 */
export const ScenarioConfigSchema = ScenarioSchema.pick({
  model: true,
  weightDtype: true,
  workload: true,
  api: true,
  ops: true,
  serving: true,
  throughput: true,
}).partial();

/** Scenario keys from a policy's config (input form: defaults not applied). */
export type ScenarioConfig = z.input<typeof ScenarioConfigSchema>;
