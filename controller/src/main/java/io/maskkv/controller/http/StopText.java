package io.maskkv.controller.http;

import java.util.List;

/**
 * OpenAI's {@code stop}: the text ends before the first stop string. A dLLM streams its decided left-to-right
 * prefix, so stop strings are found in that prefix; a delta is held back while its end could still be the start
 * of a stop string, so that no part of a stop string is ever sent.
 */
final class StopText {
  private final List<String> stops;
  private final StringBuilder text = new StringBuilder();
  private int sent;
  private boolean stopped;

  StopText(List<String> stops) {
    this.stops = stops;
  }

  /** Adds the prefix's growth; returns what may be sent now. */
  String add(String delta) {
    if (stopped) {
      return "";
    }
    text.append(delta);
    int cut = firstStop();
    if (cut >= 0) {
      stopped = true;
      return take(cut);
    }
    return take(text.length() - heldBack());
  }

  /** The stream ended without a stop string: everything held back goes out. */
  String flush() {
    return stopped ? "" : take(text.length());
  }

  boolean stopped() {
    return stopped;
  }

  /** The whole answer cut at the first stop string, for the non-streaming reply. */
  static String cut(String answer, List<String> stops) {
    StopText s = new StopText(stops);
    return s.add(answer) + s.flush();
  }

  private String take(int upTo) {
    String out = text.substring(sent, Math.max(sent, upTo));
    sent = Math.max(sent, upTo);
    return out;
  }

  private int firstStop() {
    int first = -1;
    for (String s : stops) {
      int i = text.indexOf(s);
      if (i >= 0 && (first < 0 || i < first)) {
        first = i;
      }
    }
    return first;
  }

  /** Length of the longest tail of the text that is a proper prefix of some stop string. */
  private int heldBack() {
    int held = 0;
    for (String s : stops) {
      for (int n = Math.min(s.length() - 1, text.length()); n > held; n--) {
        if (text.substring(text.length() - n).equals(s.substring(0, n))) {
          held = n;
          break;
        }
      }
    }
    return held;
  }
}
