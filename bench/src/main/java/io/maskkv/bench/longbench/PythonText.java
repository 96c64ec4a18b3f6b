package io.maskkv.bench.longbench;

import java.util.ArrayList;
import java.util.List;

/**
 * The few Python 3 string operations LongBench's metrics rely on, with Python's semantics where Java's
 * differ ({@code str.split()} splits on every Unicode space, {@code str.isspace} included 0x1c-0x1f and NEL).
 */
final class PythonText {
  private PythonText() {}

  /** Python's {@code str.isspace()} for one code point. */
  static boolean isSpace(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
  }

  /** Python's {@code s.split()}: runs of whitespace separate, leading and trailing whitespace vanish. */
  static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    int start = -1;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (isSpace(cp)) {
        if (start >= 0) {
          out.add(s.substring(start, i));
          start = -1;
        }
      } else if (start < 0) {
        start = i;
      }
      i += Character.charCount(cp);
    }
    if (start >= 0) {
      out.add(s.substring(start));
    }
    return out;
  }

  /** Python's {@code s.split(sep)} for a literal separator: keeps empty pieces. */
  static List<String> splitOn(String s, String sep) {
    List<String> out = new ArrayList<>();
    int from = 0;
    for (int at; (at = s.indexOf(sep, from)) >= 0; from = at + sep.length()) {
      out.add(s.substring(from, at));
    }
    out.add(s.substring(from));
    return out;
  }

  /** {@code prediction.lstrip('\n').split('\n')[0]}, the first-line cut LongBench applies before scoring. */
  static String firstLine(String s) {
    int i = 0;
    while (i < s.length() && s.charAt(i) == '\n') {
      i++;
    }
    int end = s.indexOf('\n', i);
    return end < 0 ? s.substring(i) : s.substring(i, end);
  }
}
