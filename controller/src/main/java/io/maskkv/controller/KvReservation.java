package io.maskkv.controller;

import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.model.ModelConfig;

/**
 * The KV bytes a session may hold on a shard, reserved at admission. The caches are fp32 K and V for every KV
 * head: one position in one layer costs {@link ModelConfig#kvBytesPerTokenPerLayer()}.
 * <ul>
 *   <li>none: nothing is cached;
 *   <li>prefix / dual: up to every position of prompt and response, in every layer of the shard;
 *   <li>eviction methods: the plan's k_l prompt positions per KV head in each layer, plus the response's
 *       positions (written beside them). Heads of one layer may keep different counts and are padded to the
 *       longest, so a cache can hold a little more than its plan; workers count the larger of reservation and
 *       actual bytes.
 * </ul>
 */
public final class KvReservation {
  private KvReservation() {}

  public static long bytes(GenerationOptions o, ModelConfig c, int[] plan, int promptLength, int fromLayer,
      int toLayer) {
    long perPosition = c.kvBytesPerTokenPerLayer();
    int layers = toLayer - fromLayer;
    return switch (o.cacheMode()) {
      case NONE -> 0;
      case PREFIX, DUAL -> (long) layers * (promptLength + o.genLength()) * perPosition;
      case COMPRESSED -> {
        long sum = 0;
        for (int l = fromLayer; l < toLayer; l++) {
          sum += (Math.min(promptLength, plan[l]) + (long) o.genLength()) * perPosition;
        }
        yield sum;
      }
    };
  }
}
