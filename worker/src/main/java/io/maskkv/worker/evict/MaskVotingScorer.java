package io.maskkv.worker.evict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.maskkv.worker.engine.Attention;
import io.maskkv.worker.engine.AttentionKeys;
import io.maskkv.worker.engine.Queries;

/**
 * MaskKV Mask-Voting (eq. 6–7): the softmax of every mask query over all keys (prompt and masks), summed over
 * the mask queries, prompt columns only, per head. The same matrix gives each head's prompt preference
 * P_h = S_{m→p} / (S_{m→p} + S_{m→m}) (eq. 14). GQA: both reduced per KV group by the mean.
 */
public final class MaskVotingScorer implements Scorer {
  @Override
  public Scores score(int layer, Queries q, AttentionKeys keys, int promptLength, int kvHeads, NDManager scope) {
    NDArray maskQueries = q.rows(promptLength, q.count(), scope);
    NDArray col = Attention.columnSums(maskQueries, keys, kvHeads); // [H, S]
    NDArray prompt = col.get(":, 0:" + promptLength); // I^{l,h}
    NDArray toPrompt = prompt.sum(new int[] {1}); // S_{m→p}
    NDArray toMasks = col.get(":, " + promptLength + ":").sum(new int[] {1}); // S_{m→m}
    NDArray pref = toPrompt.div(toPrompt.add(toMasks)).reshape(-1, 1);
    float[][] scores = GroupReduce.rows(GroupReduce.mean(prompt, kvHeads));
    float[] p = GroupReduce.mean(pref, kvHeads).toFloatArray();
    double[] preference = new double[p.length];
    for (int h = 0; h < p.length; h++) {
      preference[h] = p[h];
    }
    return new Scores(scores, preference);
  }
}
