package io.maskkv.bench.train;

import io.maskkv.bench.tasks.TaskVocabulary;
import io.maskkv.common.model.ModelFamily;
import io.maskkv.common.text.SpecialTokens;
import io.maskkv.common.text.WordLevelTokenizerJson;
import java.util.List;
import java.util.Map;

/**
 * The trained model's vocabulary: the task words in their fixed order, then the LLaDA special tokens. The same map
 * writes the shipped tokenizer.json, so training ids and serving ids agree.
 */
final class Vocabulary {
  final Map<String, Integer> ids;
  final SpecialTokens specials = SpecialTokens.of(ModelFamily.LLADA);
  final int size;

  Vocabulary() {
    List<String> words = TaskVocabulary.words();
    this.size = words.size() + specials.inIdOrder().size();
    this.ids = WordLevelTokenizerJson.vocabulary(words, specials, size);
  }

  int[] encode(String text) {
    return TaskVocabulary.tokens(text).stream().mapToInt(w -> {
      Integer id = ids.get(w);
      if (id == null) {
        throw new IllegalArgumentException("word '" + w + "' is not in the task vocabulary");
      }
      return id;
    }).toArray();
  }

  int eos() {
    return ids.get(specials.eos());
  }

  int mask() {
    return ids.get(specials.mask());
  }
}
