package io.maskkv.controller.http;

/** A request the HTTP layer itself can refuse (a body that is not the OpenAI shape), carrying its error. */
final class ApiException extends RuntimeException {
  private final ApiError error;

  ApiException(ApiError error) {
    super(error.message());
    this.error = error;
  }

  ApiError error() {
    return error;
  }
}
