package io.maskkv.bench;

import java.nio.file.Path;

/** Where the bundled model lies for the bench tests: next to the fixtures folder Maven names, else one level up. */
public final class BundledModel {
  private BundledModel() {}

  public static Path path() {
    String fixtures = System.getProperty("maskkv.fixtures");
    Path root = fixtures != null ? Path.of(fixtures).getParent() : Path.of("..");
    return root.resolve("models").resolve("maskkv-tiny");
  }
}
