package io.maskkv.common.text;

import io.maskkv.common.model.ModelFamily;
import java.util.List;

/**
 * The special tokens of each family's vocabulary, in the order our own small models place them at the end
 * of the vocabulary (the last id is always the mask token, as in the reference fixtures).
 */
public record SpecialTokens(String bos, String eos, String eot, String mask, String unk, List<String> extra) {

  public static SpecialTokens of(ModelFamily family) {
    return family == ModelFamily.LLADA
        ? new SpecialTokens("<|startoftext|>", "<|endoftext|>", "<|eot_id|>", "<|mdm_mask|>", "<|unk|>",
            List.of("<|start_header_id|>", "<|end_header_id|>"))
        : new SpecialTokens("<|im_start|>", "<|endoftext|>", "<|im_end|>", "<|mask|>", "<|unk|>", List.of());
  }

  /** Specials in id order; they take the last ids of the vocabulary, mask last. */
  public List<String> inIdOrder() {
    java.util.ArrayList<String> all = new java.util.ArrayList<>();
    all.add(unk);
    all.addAll(extra);
    all.add(bos);
    all.add(eos);
    all.add(eot);
    all.add(mask);
    return all;
  }
}
