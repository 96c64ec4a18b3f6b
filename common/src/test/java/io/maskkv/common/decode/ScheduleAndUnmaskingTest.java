package io.maskkv.common.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleAndUnmaskingTest {
  @Test
  void linearScheduleSpreadsTheRemainderOverTheFirstSteps() {
    // LLaDA get_num_transfer_tokens: 10 masks over 4 steps = 3, 3, 2, 2
    int[] counts = new int[4];
    int left = 10;
    for (int i = 0; i < 4; i++) {
      counts[i] = TransferSchedule.LINEAR.count(10, left, i, 4);
      left -= counts[i];
    }
    assertEquals(List.of(3, 3, 2, 2), java.util.Arrays.stream(counts).boxed().toList());
    assertEquals(0, left);
  }

  @Test
  void dreamScheduleCommitsEverythingAtTheLastStep() {
    assertEquals(7, TransferSchedule.DREAM.count(16, 7, 3, 4));
  }

  @Test
  void thresholdKeepsTopOnePlusConfidentOnes() {
    List<Candidate> c = List.of(new Candidate(0, 1, 0.2), new Candidate(1, 2, 0.95), new Candidate(2, 3, 0.91),
        new Candidate(3, 4, 0.5));
    assertEquals(List.of(1, 2), Unmasking.select(c, 1, 0.9).stream().map(Candidate::position).toList());
    List<Candidate> low = List.of(new Candidate(0, 1, 0.2), new Candidate(1, 2, 0.3));
    assertEquals(List.of(1), Unmasking.select(low, 1, 0.9).stream().map(Candidate::position).toList());
    assertEquals(List.of(1, 2, 3), Unmasking.select(c, 3, 0).stream().map(Candidate::position).toList());
  }

  @Test
  void badOptionsAreRejectedWithTheFieldNamed() {
    GenerationOptions d = GenerationOptions.defaults();
    assertThrows(IllegalArgumentException.class, () -> d.withLengths(0, 1, 1).validated());
    assertThrows(IllegalArgumentException.class, () -> d.withLengths(32, 32, 5).validated());
    assertThrows(IllegalArgumentException.class, () -> d.withLengths(32, 3, 8).validated());
    assertThrows(IllegalArgumentException.class, () -> d.withCache("maskkv", -1).validated());
    assertThrows(IllegalArgumentException.class, () -> d.withThreshold(1.5).validated());
  }
}
