package io.maskkv.server;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where maskkv is installed ({@code -Dmaskkv.home}, set by the {@code ./maskkv} launcher), so that the bundled model
 * is found from any working directory.
 */
public final class Installation {
  private Installation() {}

  /** {@code path} itself if it exists or is absolute; else the same relative path under the installation. */
  public static Path resolve(Path path) {
    if (path.isAbsolute() || Files.exists(path)) {
      return path;
    }
    String home = System.getProperty("maskkv.home");
    if (home != null) {
      Path there = Path.of(home).resolve(path);
      if (Files.exists(there)) {
        return there;
      }
    }
    return path;
  }
}
