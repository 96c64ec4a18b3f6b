package io.maskkv.common.decode;

/** Why generation ended. */
public enum FinishReason {
  /** An EOS/EOT token was committed; the answer ends before it. */
  STOP,
  /** Every response position was filled without a stop token. */
  LENGTH,
  /** The client cancelled or the session was shut down. */
  CANCELLED
}
