package io.maskkv.common.wire;

import com.google.protobuf.ByteString;
import io.maskkv.common.budget.EvictionDecision;
import io.maskkv.common.decode.GenerationOptions;
import io.maskkv.common.decode.Refresh;
import io.maskkv.common.decode.TransferSchedule;
import io.maskkv.common.decode.Remasking;
import io.maskkv.proto.v1.KeptPositions;
import io.maskkv.proto.v1.ResolvedOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Converts between protobuf messages and engine types at the edge; nothing else touches both. */
public final class WireFormat {
  private WireFormat() {}

  /** Hidden rows as float32 little-endian bytes. */
  public static ByteString packFloats(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return com.google.protobuf.UnsafeByteOperations.unsafeWrap(b.array()); // the array is never touched again
  }

  /** The inverse of {@link #packFloats}; null for empty bytes. */
  public static float[] unpackFloats(ByteString bytes) {
    if (bytes.isEmpty()) {
      return null;
    }
    if (bytes.size() % Float.BYTES != 0) {
      throw new IllegalArgumentException("hidden rows: " + bytes.size() + " bytes is not a whole number of floats");
    }
    FloatBuffer f = bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] out = new float[f.remaining()];
    f.get(out);
    return out;
  }

  public static ResolvedOptions toProto(GenerationOptions o) {
    return ResolvedOptions.newBuilder()
        .setGenLength(o.genLength()).setSteps(o.steps()).setBlockLength(o.blockLength())
        .setTemperature(o.temperature()).setRemasking(o.remasking().cliName()).setThreshold(o.threshold())
        .setCfgScale(o.cfgScale()).setTopP(o.topP()).setTopK(o.topK()).setCache(o.method())
        .setBudget(o.budget()).setSeed(o.seed()).setEarlyStop(o.earlyStop())
        .setRefresh(o.refresh().wireName()).setGamma(o.gamma()).setWindow(o.window())
        .setLogitsEosInf(o.logitsEosInf()).setConfidenceEosEotInf(o.confidenceEosEotInf())
        .setFactor(o.factor()).setAlgTemp(o.algTemp()).setEps(o.eps())
        .build();
  }

  /** Throws {@link IllegalArgumentException} naming the bad field. */
  public static GenerationOptions fromProto(ResolvedOptions o) {
    return GenerationOptions.builder()
        .lengths(o.getGenLength(), o.getSteps(), o.getBlockLength())
        .temperature(o.getTemperature()).remasking(Remasking.parse(o.getRemasking())).threshold(o.getThreshold())
        .cfgScale(o.getCfgScale()).topP(o.getTopP()).topK(o.getTopK()).seed(o.getSeed())
        .cache(o.getCache(), o.getBudget()).refresh(Refresh.parse(o.getRefresh())).gamma(o.getGamma())
        .window(o.getWindow()).earlyStop(o.getEarlyStop())
        .logitsEosInf(o.getLogitsEosInf()).confidenceEosEotInf(o.getConfidenceEosEotInf())
        .factor(o.getFactor()).algTemp(o.getAlgTemp()).eps(o.getEps() > 0 ? o.getEps() : TransferSchedule.DREAM_EPS)
        .build().validated();
  }

  public static io.maskkv.proto.v1.EvictionDecision toProto(EvictionDecision d, boolean keptPositions) {
    io.maskkv.proto.v1.EvictionDecision.Builder b = io.maskkv.proto.v1.EvictionDecision.newBuilder()
        .setLayer(d.layer()).setLayerBudget(d.layerBudget())
        .setBytesBefore(d.bytesBefore()).setBytesAfter(d.bytesAfter());
    for (int[] kept : d.keptPositions()) {
      b.addKeptPerHead(kept.length);
      if (keptPositions) {
        KeptPositions.Builder k = KeptPositions.newBuilder();
        for (int p : kept) {
          k.addPositions(p);
        }
        b.addKeptPositions(k);
      }
    }
    if (d.preference() != null) {
      for (double p : d.preference()) {
        b.addPromptPreference(p);
      }
    }
    return b.build();
  }
}
