package io.maskkv.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Locates the reference fixtures (checked in under {@code fixtures/} at the repository root). */
public final class Fixtures {
  private Fixtures() {}

  public static Path dir(String name) {
    String prop = System.getProperty("maskkv.fixtures");
    Path base = prop != null ? Path.of(prop) : Path.of("..", "fixtures");
    Path p = base.resolve(name);
    if (!Files.isDirectory(p)) {
      p = Path.of("fixtures").resolve(name);
    }
    return p;
  }

  public static int[] ids(String name) throws java.io.IOException {
    String text = Files.readString(dir(name).resolve("ids.txt")).trim();
    return Arrays.stream(text.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
  }
}
