package io.maskkv.bench.eval;

/** Hears about each generation as the harness finishes it (the CLI draws a progress bar). */
public interface EvalProgress {
  /** Called once before the first generation with the number of generations to come. */
  void start(long total);

  /** Called after each generation; {@code what} names it (task, method, budget). */
  void advance(String what);

  /** Called once after the last generation. */
  void finish();

  EvalProgress NONE = new EvalProgress() {
    @Override
    public void start(long total) {}

    @Override
    public void advance(String what) {}

    @Override
    public void finish() {}
  };
}
