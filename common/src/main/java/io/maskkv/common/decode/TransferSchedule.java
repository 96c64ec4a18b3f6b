package io.maskkv.common.decode;

/** How many masked positions of a block are committed at each of its steps. */
public interface TransferSchedule {
  /**
   * @param masksAtBlockStart masks in the block when it started
   * @param masksLeft masks still in the block
   * @param step 0-based step within the block
   * @param stepsPerBlock steps the block is given
   */
  int count(int masksAtBlockStart, int masksLeft, int step, int stepsPerBlock);

  /**
   * LLaDA {@code get_num_transfer_tokens}: the block's masks spread evenly over its steps, the remainder going
   * to the first steps (base + 1 for step < rem).
   */
  TransferSchedule LINEAR = (n0, left, step, steps) -> Math.min(left, n0 / steps + (step < n0 % steps ? 1 : 0));

  /**
   * Dream {@code diffusion_generate}: timesteps linspace(1, eps, steps+1); at step i with t, s consecutive,
   * commit {@code int(left * (1 - s/t))}; the last step commits everything left.
   */
  /** Dream's default {@code eps}, the last timestep. */
  double DREAM_EPS = 1e-3;

  TransferSchedule DREAM = dream(DREAM_EPS);

  /** Dream's schedule with its {@code eps}; {@code int()} truncates, so a step may commit 0 tokens, as there. */
  static TransferSchedule dream(double eps) {
    return (n0, left, step, steps) -> step >= steps - 1 ? left
        : Math.min(left, (int) (left * dreamTransferProbability(step, steps, eps)));
  }

  /** {@code 1 - s/t} for timesteps linspace(1, eps, steps+1) at step i; 1 at the last step. */
  static double dreamTransferProbability(int step, int steps, double eps) {
    if (step >= steps - 1) {
      return 1.0;
    }
    double t = 1 - step * (1 - eps) / steps;
    double s = 1 - (step + 1) * (1 - eps) / steps;
    return 1 - s / t;
  }
}
