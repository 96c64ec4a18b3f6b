package io.maskkv.worker.checkpoint;

import io.maskkv.common.model.ModelFamily;

/** The exact tensor names of each family's Hugging Face checkpoints (their model.safetensors.index.json). */
public interface TensorNames {
  String embedding();

  String attnNorm(int layer);

  String q(int layer);

  String k(int layer);

  String v(int layer);

  String attnOut(int layer);

  String ffnNorm(int layer);

  /** The SwiGLU gate: SiLU is applied to this projection. */
  String gate(int layer);

  String up(int layer);

  String down(int layer);

  String finalNorm();

  String lmHead();

  static TensorNames of(ModelFamily family) {
    return family == ModelFamily.LLADA ? new LladaNames() : new DreamNames();
  }

  /** Bias of a Q/K/V projection (Dream only). */
  static String bias(String weightName) {
    return weightName.substring(0, weightName.length() - "weight".length()) + "bias";
  }

  /** LLaDA: {@code model.transformer.blocks.N.*}; {@code ff_proj} is the gate, {@code ff_out} the down projection. */
  final class LladaNames implements TensorNames {
    private static String b(int l, String s) {
      return "model.transformer.blocks." + l + "." + s + ".weight";
    }

    public String embedding() { return "model.transformer.wte.weight"; }
    public String attnNorm(int l) { return b(l, "attn_norm"); }
    public String q(int l) { return b(l, "q_proj"); }
    public String k(int l) { return b(l, "k_proj"); }
    public String v(int l) { return b(l, "v_proj"); }
    public String attnOut(int l) { return b(l, "attn_out"); }
    public String ffnNorm(int l) { return b(l, "ff_norm"); }
    public String gate(int l) { return b(l, "ff_proj"); }
    public String up(int l) { return b(l, "up_proj"); }
    public String down(int l) { return b(l, "ff_out"); }
    public String finalNorm() { return "model.transformer.ln_f.weight"; }
    public String lmHead() { return "model.transformer.ff_out.weight"; }
  }

  /** Dream / Qwen2: {@code model.layers.N.self_attn.*}, {@code model.layers.N.mlp.*}. */
  final class DreamNames implements TensorNames {
    private static String b(int l, String s) {
      return "model.layers." + l + "." + s + ".weight";
    }

    public String embedding() { return "model.embed_tokens.weight"; }
    public String attnNorm(int l) { return b(l, "input_layernorm"); }
    public String q(int l) { return b(l, "self_attn.q_proj"); }
    public String k(int l) { return b(l, "self_attn.k_proj"); }
    public String v(int l) { return b(l, "self_attn.v_proj"); }
    public String attnOut(int l) { return b(l, "self_attn.o_proj"); }
    public String ffnNorm(int l) { return b(l, "post_attention_layernorm"); }
    public String gate(int l) { return b(l, "mlp.gate_proj"); }
    public String up(int l) { return b(l, "mlp.up_proj"); }
    public String down(int l) { return b(l, "mlp.down_proj"); }
    public String finalNorm() { return "model.norm.weight"; }
    public String lmHead() { return "lm_head.weight"; }
  }
}
