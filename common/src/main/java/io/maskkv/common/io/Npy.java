package io.maskkv.common.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** NumPy {@code .npy} (format 1.0) for little-endian float32 C-order arrays: what the reference logits use. */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  /** A float32 array and its shape. */
  public record Array(long[] shape, float[] data) {}

  private Npy() {}

  public static void write(Path file, long[] shape, float[] data) throws IOException {
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(d).append(", ");
    }
    String s = dims.toString();
    if (shape.length > 1) {
      s = s.substring(0, s.length() - 2);
    } else if (shape.length == 1) {
      s = s.substring(0, s.length() - 1);
    }
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + s + "), }";
    int total = MAGIC.length + 2 + 2 + header.length() + 1;
    int pad = (64 - total % 64) % 64;
    header = header + " ".repeat(pad) + "\n";
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(MAGIC);
      out.write(new byte[] {1, 0});
      out.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) header.length()).array());
      out.write(header.getBytes(StandardCharsets.US_ASCII));
      ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      buf.asFloatBuffer().put(data);
      out.write(buf.array());
    }
  }

  public static Array read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    for (byte m : MAGIC) {
      if (b.get() != m) {
        throw new IOException(file + ": not a .npy file");
      }
    }
    int major = b.get();
    b.get();
    int headerLen = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
    byte[] h = new byte[headerLen];
    b.get(h);
    String header = new String(h, StandardCharsets.US_ASCII);
    if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
      throw new IOException(file + ": only little-endian float32 C-order arrays are supported: " + header.trim());
    }
    Matcher m = SHAPE.matcher(header);
    if (!m.find()) {
      throw new IOException(file + ": no shape in header");
    }
    String[] parts = m.group(1).split(",");
    long[] shape = java.util.Arrays.stream(parts).map(String::trim).filter(p -> !p.isEmpty())
        .mapToLong(Long::parseLong).toArray();
    float[] data = new float[b.remaining() / 4];
    b.asFloatBuffer().get(data);
    return new Array(shape, data);
  }
}
