package io.maskkv.worker.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskkv.common.model.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A safetensors file: an 8-byte little-endian header length, a JSON header, then the data buffer.
 * Offsets are 64-bit and each tensor is memory-mapped on its own, so shards larger than 2 GiB load
 * (DJL's NDList.decode reads offsets as int and cannot).
 */
public final class SafetensorsFile {
  private static final long MAX_HEADER = 100_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Map<String, TensorInfo> tensors;

  private SafetensorsFile(Path file, Map<String, TensorInfo> tensors) {
    this.file = file;
    this.tensors = tensors;
  }

  public static SafetensorsFile open(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new ModelFormatException(file + ": truncated (" + size + " bytes, no header length)");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
        throw new ModelFormatException(file + ": header length " + headerLen + " is impossible for a file of "
            + size + " bytes (truncated or not a safetensors file)");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(ch, header, 8);
      String text = new String(header.array(), StandardCharsets.UTF_8);
      JsonNode root;
      try {
        root = JSON.readTree(text);
      } catch (IOException e) {
        throw new ModelFormatException(file + ": header is not valid JSON: " + e.getMessage(), e);
      }
      if (root == null || !root.isObject()) {
        throw new ModelFormatException(file + ": header must be a JSON object");
      }
      long dataStart = 8 + headerLen;
      long dataLen = size - dataStart;
      Map<String, TensorInfo> map = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          continue;
        }
        map.put(e.getKey(), parseEntry(file, e.getKey(), e.getValue(), dataStart, dataLen));
      }
      return new SafetensorsFile(file, map);
    } catch (IOException e) {
      throw new ModelFormatException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static TensorInfo parseEntry(Path file, String name, JsonNode n, long dataStart, long dataLen) {
    String where = file + ": tensor " + name;
    if (!n.has("dtype") || !n.has("shape") || !n.has("data_offsets")) {
      throw new ModelFormatException(where + ": header entry needs dtype, shape and data_offsets");
    }
    TensorDType dtype = TensorDType.parse(n.get("dtype").asText(), where);
    JsonNode s = n.get("shape");
    long[] shape = new long[s.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = s.get(i).asLong(-1);
      if (shape[i] < 0) {
        throw new ModelFormatException(where + ": bad shape " + s);
      }
    }
    JsonNode off = n.get("data_offsets");
    if (off.size() != 2) {
      throw new ModelFormatException(where + ": data_offsets must be [begin, end]");
    }
    long begin = off.get(0).asLong(-1);
    long end = off.get(1).asLong(-1);
    if (begin < 0 || end < begin) {
      throw new ModelFormatException(where + ": bad data_offsets " + off);
    }
    if (end > dataLen) {
      throw new ModelFormatException(where + ": data_offsets end " + end + " lies beyond the data buffer of "
          + dataLen + " bytes (file truncated?)");
    }
    TensorInfo info = new TensorInfo(name, file, dtype, shape, dataStart + begin, dataStart + end);
    long expected = info.elements() * dtype.bytes();
    if (end - begin != expected) {
      throw new ModelFormatException(where + ": header says shape " + info.shapeString() + " " + dtype + " ("
          + expected + " bytes) but data_offsets span " + (end - begin) + " bytes");
    }
    return info;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos + buf.position());
      if (r < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  public Path path() {
    return file;
  }

  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  /**
   * Reads elements [fromElement, fromElement + count) of a tensor as fp32 into a direct buffer.
   * Reading in ranges keeps every buffer under 2 GiB even for an LLaDA-8B embedding.
   */
  public static FloatBuffer readFloats(TensorInfo t, long fromElement, int count) {
    try (FileChannel ch = FileChannel.open(t.file(), StandardOpenOption.READ)) {
      long pos = t.start() + fromElement * t.dtype().bytes();
      long len = (long) count * t.dtype().bytes();
      MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, pos, len);
      mapped.order(ByteOrder.LITTLE_ENDIAN);
      FloatBuffer out = ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
      switch (t.dtype()) {
        case F32 -> out.put(mapped.asFloatBuffer());
        case BF16 -> {
          for (int i = 0; i < count; i++) {
            out.put(Float.intBitsToFloat((mapped.getShort() & 0xFFFF) << 16));
          }
        }
        case F16 -> {
          for (int i = 0; i < count; i++) {
            out.put(HalfFloats.toFloat(mapped.getShort()));
          }
        }
      }
      return out.flip();
    } catch (IOException e) {
      throw new ModelFormatException(t.file() + ": tensor " + t.name() + ": cannot read data: " + e.getMessage(), e);
    }
  }
}
