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
  TransferSchedule DREAM = (n0, left, step, steps) -> {
    if (step >= steps - 1) {
      return left;
    }
    double eps = 1e-3;
    double t = 1 - step * (1 - eps) / steps;
    double s = 1 - (step + 1) * (1 - eps) / steps;
    return Math.min(left, (int) (left * (1 - s / t)));
  };
}
