package io.maskkv.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.maskkv.bench.longbench.LongBenchRecord;
import io.maskkv.bench.tasks.TaskFiles;
import io.maskkv.bench.tasks.TaskVocabulary;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.text.TextTokenizer;
import io.maskkv.worker.engine.Transformer;
import io.maskkv.worker.session.Generator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipped model really reads its prompt: it retrieves passkeys, and MaskKV at a tiny budget keeps them. */
class BundledModelTest {
  @Test
  void retrievesFreshPasskeysWithTheFullCacheAndWithMaskKvAtBudget8() {
    List<LongBenchRecord> records = TaskFiles.generate("needle", 20, 256, 4242); // a seed training never used
    try (Transformer t = Transformer.load(BundledModel.path(), Device.cpu()); TextTokenizer tok = TextTokenizer.load(BundledModel.path())) {
      GenerationOptions full = GenerationOptions.builder().lengths(2, 2, 2).cache("full", 0).seed(1).build();
      for (GenerationOptions o : List.of(full, full.withCache("maskkv", 8))) {
        int correct = 0;
        for (LongBenchRecord r : records) {
          int[] prompt = tok.encode(TaskVocabulary.asPrompt(r));
          String answer = tok.decode(new Generator(t).generate(prompt, o, e -> {}).answer()).trim();
          correct += answer.equals(r.answers().get(0)) ? 1 : 0;
        }
        assertTrue(correct >= 18, o.method() + ": " + correct + "/20 passkeys retrieved");
      }
    }
  }
}
