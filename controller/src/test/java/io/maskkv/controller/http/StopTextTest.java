package io.maskkv.controller.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopTextTest {
  @Test
  void aStopStringSplitOverTwoDeltasIsNeverSent() {
    StopText s = new StopText(List.of("END"));
    assertEquals("the answer ", s.add("the answer E"), "the E could start END: held back");
    assertFalse(s.stopped());
    assertEquals("", s.add("ND and more"));
    assertTrue(s.stopped());
    assertEquals("", s.add(" later text"), "nothing after the stop");
  }

  @Test
  void heldBackTextGoesOutWhenItTurnsOutNotToBeAStop() {
    StopText s = new StopText(List.of("END"));
    assertEquals("a ", s.add("a E"));
    assertEquals("Ex", s.add("x"));
    assertEquals(" ", s.add(" E"), "only the E could still start END");
    assertEquals("E", s.flush());
  }

  @Test
  void theEarliestOfSeveralStopsWins() {
    assertEquals("one ", StopText.cut("one two three", List.of("three", "two")));
    assertEquals("no stop here", StopText.cut("no stop here", List.of("zzz")));
    assertEquals("", StopText.cut("stop at once", List.of("stop")));
  }
}
