package io.maskkv.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The trainer's CSV curves (first column: the step), kept consistent with the checkpoint a run resumes from. */
final class CurveFiles {
  private CurveFiles() {}

  /**
   * Drops the rows after {@code step}: a run killed between checkpoints logged steps that the resumed run replays
   * exactly, and the curve should hold each step once.
   */
  static void dropAfter(Path csv, long step) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    List<String> kept = lines.stream().filter(l -> {
      int comma = l.indexOf(',');
      if (comma <= 0) {
        return true;
      }
      try {
        return Long.parseLong(l.substring(0, comma)) <= step;
      } catch (NumberFormatException header) {
        return true;
      }
    }).toList();
    if (kept.size() != lines.size()) {
      Files.write(csv, kept);
    }
  }
}
