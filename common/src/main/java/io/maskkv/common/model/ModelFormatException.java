package io.maskkv.common.model;

/** A checkpoint folder is malformed: the message names the file and, where it applies, the tensor or field. */
public class ModelFormatException extends RuntimeException {
  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
