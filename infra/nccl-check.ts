/**
 * The NCCL pin, checked when the container starts. torch loads the NCCL it
 * finds in the image (the `nvidia-nccl-cu12` wheel), so a derived image
 * that installs `nvidia-nccl-cu12==<pin>` (images/vllm-nccl) is the pin, and
 * this wrapper refuses to start vLLM on any other NCCL: a wrong version then
 * fails in the first second with one log line, not as a hang in the first
 * all-reduce under load.
 */

/** Prefix of the wrapper's log lines. */
export const NCCL_LOG_PREFIX = "llm-breakeven:";

/** Prints the NCCL version torch loads, as `2.29.3` (torch returns a tuple, older releases an int). */
export const NCCL_VERSION_PYTHON =
  'import torch; v = torch.cuda.nccl.version(); print(".".join(map(str, v)) if isinstance(v, tuple) else v)';

/**
 * A bash script that checks NCCL against `ncclVersion`, logs it, then runs
 * `execLine` (which sees the container's args as "$@").
 */
export function ncclCheckedScript(ncclVersion: string, execLine: string): string {
  return [
    "set -euo pipefail",
    `want="${ncclVersion}"`,
    `got="$(python3 -c '${NCCL_VERSION_PYTHON}')"`,
    'if [ "$got" != "$want" ]; then',
    `  echo "${NCCL_LOG_PREFIX} NCCL $got in this image, but the model pins nccl==$want; build images/vllm-nccl and set llm-breakeven:deployment.servingImage" >&2`,
    "  exit 1",
    "fi",
    `echo "${NCCL_LOG_PREFIX} vLLM is using nccl==$got (pinned)"`,
    execLine,
    "",
  ].join("\n");
}

/** Container `command` that checks NCCL, then runs `execLine`; the container's `args` become "$@". */
export function ncclCheckedCommand(ncclVersion: string, execLine: string): string[] {
  // bash -c takes the next word as $0; the args that Kubernetes appends become $1...
  return ["/bin/bash", "-c", ncclCheckedScript(ncclVersion, execLine), "vllm-entrypoint"];
}
