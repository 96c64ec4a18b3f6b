package io.maskkv.worker.checkpoint;

import java.nio.file.Path;
import java.util.Arrays;

/** One tensor's entry in a safetensors header: dtype, shape and absolute byte range in its file. */
public record TensorInfo(String name, Path file, TensorDType dtype, long[] shape, long start, long end) {

  public long elements() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  public String shapeString() {
    return Arrays.toString(shape);
  }
}
