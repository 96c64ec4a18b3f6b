package io.maskkv.worker.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a safetensors file (header padded to 8 bytes, as the Rust writer does) from fp32 arrays. */
public final class SafetensorsWriter {
  /** A tensor to write: fp32 values stored as {@code dtype}. */
  public record Entry(long[] shape, float[] data) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final TensorDType dtype;

  public SafetensorsWriter(TensorDType dtype) {
    this.dtype = dtype;
  }

  public SafetensorsWriter add(String name, long[] shape, float[] data) {
    entries.put(name, new Entry(shape, data));
    return this;
  }

  public Map<String, Entry> entries() {
    return entries;
  }

  public void write(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = json.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      long bytes = (long) e.getValue().data().length * dtype.bytes();
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", dtype.name());
      var shape = t.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] head = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    int padded = (head.length + 7) / 8 * 8;
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
      out.write(len.array());
      out.write(head);
      for (int i = head.length; i < padded; i++) {
        out.write(' ');
      }
      ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (Entry e : entries.values()) {
        for (float f : e.data()) {
          if (buf.remaining() < 4) {
            out.write(buf.array(), 0, buf.position());
            buf.clear();
          }
          switch (dtype) {
            case F32 -> buf.putFloat(f);
            case BF16 -> buf.putShort(HalfFloats.toBf16(f));
            case F16 -> buf.putShort(HalfFloats.fromFloat(f));
          }
        }
      }
      out.write(buf.array(), 0, buf.position());
    }
  }
}
