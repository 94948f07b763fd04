import type { ModelConfig, ModulePart, WeightVariant } from "./model-config";
import { memoize } from "./memo";

/**
 * Parameter counts by part of the model, computed from the architecture (the
 * card's rounded total is a cross-check, not an input). Counts are for the
 * whole model; `perLayer*` are for one decoder layer.
 */
export interface ParamBreakdown {
  embeddings: number;
  lmHead: number;
  /** Attention projections of one layer. */
  perLayerAttention: number;
  /** Attention projections every TP rank holds whole (MLA's low-rank down-projections). */
  perLayerAttentionReplicated: number;
  /** Dense MLP of one dense layer. */
  perDenseMlp: number;
  /** One routed expert (gate, up, down). */
  perRoutedExpert: number;
  /** All shared experts of one MoE layer. */
  perSharedExperts: number;
  /** Router of one MoE layer. */
  perRouter: number;
  /** Norms of one layer. */
  perLayerNorms: number;
  denseLayers: number;
  moeLayers: number;
  total: number;
  /** Parameters one token touches. */
  active: number;
}

/** Counts every weight of the model from its architecture (memoized per model object: evaluate() runs it often). */
export const paramBreakdown: (model: ModelConfig) => ParamBreakdown = memoize(countParams);

function countParams(model: ModelConfig): ParamBreakdown {
  const a = model.architecture;
  const h = a.hiddenSize;
  const embeddings = a.vocabSize * h;
  const lmHead = a.tieWordEmbeddings ? 0 : a.vocabSize * h;
  const { perLayerAttention, perLayerAttentionReplicated } = attentionParams(a);
  const moe = a.moe;
  const denseLayers = moe ? moe.firstKDenseLayers : a.numLayers;
  const moeLayers = a.numLayers - denseLayers;
  const perDenseMlp = 3 * h * a.intermediateSize;
  const perRoutedExpert = moe ? 3 * h * moe.moeIntermediateSize : 0;
  const perSharedExperts = moe ? moe.numSharedExperts * 3 * h * moe.moeIntermediateSize : 0;
  const perRouter = moe ? h * moe.numExperts : 0;
  const perLayerNorms = 2 * h;
  const layerCommon = perLayerAttention + perLayerNorms;
  const allExperts = moe ? moe.numExperts * perRoutedExpert : 0;
  const total =
    embeddings +
    lmHead +
    h +
    a.numLayers * layerCommon +
    denseLayers * perDenseMlp +
    moeLayers * (allExperts + perSharedExperts + perRouter);
  const activeExperts = moe ? moe.numExpertsPerToken * perRoutedExpert : 0;
  // The input embedding is a lookup, not a matmul: it does not count as active compute.
  const active =
    lmHead +
    (a.tieWordEmbeddings ? embeddings : 0) +
    a.numLayers * layerCommon +
    denseLayers * perDenseMlp +
    moeLayers * (activeExperts + perSharedExperts + perRouter);
  return {
    embeddings,
    lmHead,
    perLayerAttention,
    perLayerAttentionReplicated,
    perDenseMlp,
    perRoutedExpert,
    perSharedExperts,
    perRouter,
    perLayerNorms,
    denseLayers,
    moeLayers,
    total,
    active,
  };
}

/**
 * The attention projections of one layer: q, k, v and o for grouped-query
 * attention (with q/k/v biases where the model has them), and for MLA the
 * low-rank down- and up-projections, of which vLLM keeps the down-projections
 * (q_a, kv_a) as ReplicatedLinear on every TP rank.
 */
function attentionParams(a: ModelConfig["architecture"]): {
  perLayerAttention: number;
  perLayerAttentionReplicated: number;
} {
  const h = a.hiddenSize;
  if (a.mla) {
    const m = a.mla;
    const qHead = m.qkNopeHeadDim + m.qkRopeHeadDim;
    const q =
      m.qLoraRank === null
        ? h * a.numAttentionHeads * qHead
        : h * m.qLoraRank + m.qLoraRank + m.qLoraRank * a.numAttentionHeads * qHead;
    const kvDown = h * (m.kvLoraRank + m.qkRopeHeadDim) + m.kvLoraRank;
    const kvUp = m.kvLoraRank * a.numAttentionHeads * (m.qkNopeHeadDim + m.vHeadDim);
    const o = a.numAttentionHeads * m.vHeadDim * h;
    return {
      perLayerAttention: q + kvDown + kvUp + o,
      perLayerAttentionReplicated: kvDown + (m.qLoraRank === null ? 0 : h * m.qLoraRank + m.qLoraRank),
    };
  }
  const qOut = a.numAttentionHeads * a.headDim;
  const kvOut = a.numKeyValueHeads * a.headDim;
  const bias = a.qkvBias ? qOut + 2 * kvOut : 0;
  return { perLayerAttention: h * qOut + 2 * h * kvOut + qOut * h + bias, perLayerAttentionReplicated: 0 };
}

/**
 * Bytes per weight of a part under a checkpoint: 16-bit where the checkpoint
 * leaves the part unquantized, else the format's bytes including its scales
 * (group-quantized int4: half a byte plus a 16-bit scale per group, and a
 * 4-bit zero point per group for AWQ/GPTQ).
 */
export function bytesPerWeight(variant: WeightVariant, part: ModulePart): number {
  if (variant.unquantized.includes(part)) return 2;
  switch (variant.dtype) {
    case "bf16":
    case "fp16":
      return 2;
    case "fp8":
    case "int8":
      return 1;
    case "int4":
      return 0.5 + 2 / (variant.groupSize ?? 128);
    case "awq-int4":
    case "gptq-int4":
      return 0.5 + 2.5 / (variant.groupSize ?? 128);
    case "nvfp4":
      // One FP8 scale per 16 weights.
      return 0.5 + 1 / 16;
    default: {
      const never: never = variant.dtype;
      throw new Error(`unhandled weight dtype ${String(never)}`);
    }
  }
}

/** Whole-model weight bytes under a checkpoint (memoized per model and checkpoint object). */
export const modelWeightBytes: (model: ModelConfig, variant: WeightVariant) => number = memoize(countWeightBytes);

function countWeightBytes(model: ModelConfig, variant: WeightVariant): number {
  const p = paramBreakdown(model);
  const b = (part: ModulePart) => bytesPerWeight(variant, part);
  const experts = model.architecture.moe?.numExperts ?? 0;
  return (
    p.embeddings * b("embeddings") +
    p.lmHead * b("lm_head") +
    (model.architecture.numLayers * p.perLayerNorms + model.architecture.hiddenSize) * 2 +
    model.architecture.numLayers * p.perLayerAttention * b("attention") +
    p.denseLayers * p.perDenseMlp * b("dense_mlp") +
    p.moeLayers *
      (experts * p.perRoutedExpert * b("routed_experts") +
        p.perSharedExperts * b("shared_experts") +
        p.perRouter * b("router"))
  );
}
