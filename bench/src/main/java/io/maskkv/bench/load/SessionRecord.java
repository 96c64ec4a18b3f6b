package io.maskkv.bench.load;

/**
 * What one session of a load run measured, times in milliseconds from the run's start.
 *
 * @param status gRPC status code name, {@code OK} when the session finished
 * @param firstStepMs time from sending the request to its first step event (a dLLM's time to first token)
 * @param stepMs the controller's wall time of each step after the first
 * @param queueMs time from arrival to admission, as the controller reports it
 * @param tokens response positions decided (gen length unless the session failed)
 * @param correct the answer matched one of the prompt's answers (null when the prompt has none)
 * @param prompt which of the run's prompts the session sent
 */
public record SessionRecord(int prompt, double startMs, double endMs, String status, double firstStepMs, double[] stepMs,
    double queueMs, int tokens, long kvPeakBytes, Boolean correct, String text) {

  public boolean ok() {
    return status.equals("OK");
  }
}
